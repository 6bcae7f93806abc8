"""W1-W6 of workloads.ts on CPython asyncio (the default event loop, real clock, as a program runs).

Prints one JSON object: {"ms": {workload id: wall ms}, "cpu_ms": {workload id: CPU ms}, "python": version}
(W5's wall figure: the time taken beyond its 50 ms spread), each the best of 3 runs after a warm-up. Usage: /usr/bin/python3 asyncio_bench.py [W1 W2 ...]
"""
import asyncio
import json
import sys
import time

SPREAD_MS = 50


async def w1():
    async def one():
        await asyncio.sleep(0)
    await asyncio.gather(*[asyncio.create_task(one()) for _ in range(100_000)])


async def w2():
    async def worker():
        for _ in range(100):
            await asyncio.sleep(0)
    await asyncio.gather(*[asyncio.create_task(worker()) for _ in range(10_000)])


async def w3():
    ev = asyncio.Event()
    ts = [asyncio.create_task(ev.wait()) for _ in range(100_000)]
    await asyncio.sleep(0)
    for t in ts:
        t.cancel()
    await asyncio.gather(*ts, return_exceptions=True)


async def w4():
    q = asyncio.Queue(1000)

    async def consumer():
        while True:
            await q.get()
            q.task_done()
    cs = [asyncio.create_task(consumer()) for _ in range(4)]
    for i in range(1_000_000):
        await q.put(i)
    await q.join()
    for c in cs:
        c.cancel()
    await asyncio.gather(*cs, return_exceptions=True)


async def w5():
    n = 100_000

    async def one(i):
        await asyncio.sleep(SPREAD_MS * i / n / 1000)
    await asyncio.gather(*[asyncio.create_task(one(i)) for i in range(n)])


async def w6():
    async def quick():
        await asyncio.sleep(0)
        return 1
    for _ in range(100_000):
        await asyncio.wait_for(quick(), 60)


WORKLOADS = {'W1': w1, 'W2': w2, 'W3': w3, 'W4': w4, 'W5': w5, 'W6': w6}


def timed(fn):
    t0 = time.perf_counter()
    c0 = time.process_time()
    asyncio.run(fn())
    ms = (time.perf_counter() - t0) * 1000
    cpu_ms = (time.process_time() - c0) * 1000
    return (ms - SPREAD_MS if fn is w5 else ms), cpu_ms


out = {'ms': {}, 'cpu_ms': {}, 'python': sys.version.split()[0]}
for wid in sys.argv[1:] or WORKLOADS:
    fn = WORKLOADS[wid]
    timed(fn)  # warm-up
    runs = [timed(fn) for _ in range(3)]
    out['ms'][wid] = min(r[0] for r in runs)
    out['cpu_ms'][wid] = min(r[1] for r in runs)
print(json.dumps(out))
