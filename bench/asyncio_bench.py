"""The same workloads as workloads.ts on CPython asyncio, over the oracle's virtual-time loop.

Prints one JSON object: {workload name: milliseconds}. Usage: python3 asyncio_bench.py ORACLE_DIR
"""
import asyncio
import json
import sys
import time

sys.path.insert(0, sys.argv[1])
from vtloop import VirtualTimeLoop  # noqa: E402


async def switches():
    async def worker():
        for _ in range(1000):
            await asyncio.sleep(0)
    await asyncio.gather(*[asyncio.create_task(worker()) for _ in range(1000)])


async def spawn():
    async def f(i):
        return i
    ts = [asyncio.create_task(f(i)) for i in range(100_000)]
    for t in ts:
        await t


async def timers():
    await asyncio.gather(*[asyncio.create_task(asyncio.sleep((1 + i % 1000) / 1000)) for i in range(100_000)])


async def gather():
    async def f(i):
        return i
    for _ in range(100):
        await asyncio.gather(*[f(i) for i in range(1000)])


async def queue():
    q = asyncio.Queue(100)

    async def consumer():
        while True:
            await q.get()
            q.task_done()
    cs = [asyncio.create_task(consumer()) for _ in range(4)]
    for i in range(200_000):
        await q.put(i)
    await q.join()
    for c in cs:
        c.cancel()


async def cancel():
    ts = [asyncio.create_task(asyncio.sleep(60)) for _ in range(100_000)]
    await asyncio.sleep(0.001)
    for t in ts:
        t.cancel()
    await asyncio.gather(*ts, return_exceptions=True)


WORKLOADS = {
    'switches: 1k tasks × 1k sleep(0)': switches,
    'spawn: 100k tasks created and awaited': spawn,
    'timers: 100k sleeps, 1k distinct deadlines': timers,
    'gather: 100 rounds × 1k tasks': gather,
    'queue: 200k items, Queue(100), 4 consumers': queue,
    'cancel: 100k waiting tasks cancelled at once': cancel,
}

out = {}
for name, fn in WORKLOADS.items():
    best = None
    for _ in range(2):
        with asyncio.Runner(loop_factory=VirtualTimeLoop) as runner:
            t0 = time.perf_counter()
            runner.run(fn())
            ms = (time.perf_counter() - t0) * 1000
        best = ms if best is None else min(best, ms)
    out[name] = best
print(json.dumps(out))
