"""Interpreter of the random programs of fuzz.ts, on CPython asyncio (vtloop, 3.12's wait_for/timeout).

Reads a JSON list of programs on stdin; prints, for each, a line '=== <seed>' and then its trace.
Time is printed in program units: the TS side sleeps ms, this side sleeps seconds, so both print
the same integers and the float clock never drifts (every deadline is a whole number).
"""
import asyncio
import json
import sys

from prelude import VirtualTimeLoop, err, fmt, timeout, wait_for


def run_program(prog, out):
    async def main():
        loop = asyncio.get_running_loop()
        reg = {}
        queue = asyncio.Queue(2)
        lock = asyncio.Lock()
        semaphore = asyncio.Semaphore(2)
        event = asyncio.Event()

        def log(*parts):
            t = loop.time()
            out.append(" ".join([str(int(t)) if t == int(t) else str(t)] + [str(p) for p in parts]))

        async def outcome(aw):
            try:
                return fmt(await aw)
            except asyncio.CancelledError:
                return "CancelledError"
            except (TimeoutError, ValueError) as e:
                return err(e)

        async def run_ops(name, ops):
            for op in ops:
                kind = op[0]
                if kind == "sleep":
                    await asyncio.sleep(op[1])
                elif kind == "log":
                    log(name, op[1])
                elif kind == "spawn":
                    spec = op[1]
                    reg[spec["name"]] = asyncio.create_task(body(spec))
                elif kind == "cancel":
                    log(name, "cancel", op[1], reg[op[1]].cancel())
                elif kind == "await":
                    log(name, "await", op[1], "->", await outcome(reg[op[1]]))
                elif kind == "fail":
                    raise ValueError(op[1])
                elif kind == "waitFor":
                    log(name, "waitFor", op[1], op[2], "->", await outcome(wait_for(reg[op[1]], op[2])))
                elif kind == "shield":
                    log(name, "shield", op[1], "->", await outcome(asyncio.shield(reg[op[1]])))
                elif kind == "gather":
                    g = asyncio.gather(*[reg[n] for n in op[1]], return_exceptions=op[2])
                    log(name, "gather", ",".join(op[1]), op[2], "->", await outcome(g))
                elif kind == "timeout":
                    try:
                        async with timeout(op[1]):
                            await run_ops(name, op[2])
                        log(name, "timeout block done")
                    except TimeoutError:
                        log(name, "timeout expired")
                elif kind == "guard":
                    try:
                        await run_ops(name, op[1])
                    except asyncio.CancelledError:
                        log(name, "caught cancel, cancelling", asyncio.current_task().cancelling())
                        if not op[2]:
                            raise
                elif kind == "uncancel":
                    log(name, "uncancel ->", asyncio.current_task().uncancel())
                elif kind == "waitForSleep":
                    log(name, "waitFor sleep", op[1], op[2], "->", await outcome(wait_for(asyncio.sleep(op[1], "slept"), op[2])))
                elif kind == "cancelLater":
                    target = op[1]
                    loop.call_later(op[2], lambda target=target: log("callback cancel", target, reg[target].cancel()))
                elif kind == "child":
                    reg[op[1]["name"]] = asyncio.create_task(body(op[1]))
                elif kind == "qput":
                    got = await outcome(wait_for(queue.put(op[1]), op[2]))
                    log(name, "put", op[1], op[2], "->", got, "size", queue.qsize())
                elif kind == "qget":
                    got = await outcome(wait_for(queue.get(), op[1]))
                    log(name, "get", op[1], "->", got, "size", queue.qsize())
                elif kind == "locked":
                    got = await outcome(wait_for(lock.acquire(), op[1]))
                    log(name, "acquire", op[1], "->", got)
                    if got == "true":
                        try:
                            await asyncio.sleep(op[2])
                        finally:
                            lock.release()
                            log(name, "released")
                elif kind == "sem":
                    got = await outcome(wait_for(semaphore.acquire(), op[1]))
                    log(name, "sem acquire", op[1], "->", got, "locked", semaphore.locked())
                    if got == "true":
                        try:
                            await asyncio.sleep(op[2])
                        finally:
                            semaphore.release()
                            log(name, "sem released")
                elif kind == "evset":
                    event.set()
                    log(name, "set event")
                elif kind == "evclear":
                    event.clear()
                    log(name, "cleared event")
                elif kind == "group":
                    try:
                        async with asyncio.TaskGroup() as tg:
                            for kid in op[1]:
                                tg.create_task(body(kid))
                            await run_ops(name, op[2])
                        log(name, "group done")
                    except BaseExceptionGroup as eg:
                        log(name, "group raised", err(eg))
                elif kind == "evwait":
                    log(name, "event wait", op[1], "->", await outcome(wait_for(event.wait(), op[1])))
                else:
                    raise AssertionError(kind)

        async def body(spec):
            name = spec["name"]
            try:
                await run_ops(name, spec["ops"])
            except asyncio.CancelledError:
                log(name, "ends cancelled")
                raise
            except ValueError as e:
                log(name, "fails", e)
                raise
            log(name, "returns")
            return name

        await run_ops("main", prog["main"])
        while any(not t.done() for t in reg.values()):
            await asyncio.gather(*[t for t in reg.values() if not t.done()], return_exceptions=True)
        for n in sorted(reg):
            t = reg[n]
            state = "cancelled" if t.cancelled() else ("failed" if t.exception() is not None else "done")
            log("final", n, state)

    with asyncio.Runner(loop_factory=VirtualTimeLoop) as runner:
        try:
            runner.run(main())
        except BaseException as e:  # noqa: BLE001 - the outcome is part of the trace
            out.append("main raised " + err(e))


def main():
    programs = json.load(sys.stdin)
    for prog in programs:
        out = []
        run_program(prog, out)
        print("=== " + str(prog["seed"]))
        for line in out:
            print(line)


main()
