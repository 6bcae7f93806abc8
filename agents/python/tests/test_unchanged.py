"""The agent does not change what a program does: sixteen small asyncio programs, each run as
`python3 prog.py` and as `python3 -m loopwatch_agent [--no-app] [--virtual] prog.py`; stdout, stderr and the
exit status must be identical (the sleeps are a few ms, so the virtual clock changes nothing)."""
import os
import subprocess
import sys
import tempfile
import unittest

AGENT_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

PROGRAMS = {
    "gather_order": """
import asyncio
async def job(i, d):
    await asyncio.sleep(d)
    print("job", i, "done")
    return i * 10
async def main():
    print(await asyncio.gather(job(1, 0.003), job(2, 0.001), job(3, 0.002)))
asyncio.run(main())
""",
    "create_task_order": """
import asyncio
async def w(n):
    print("start", n)
    await asyncio.sleep(0)
    print("end", n)
async def main():
    ts = [asyncio.create_task(w(n)) for n in range(3)]
    print("main after create")
    await asyncio.wait(ts)
    print(asyncio.current_task().get_name(), type(asyncio.current_task()).__name__)
asyncio.run(main())
""",
    "uncaught": """
import asyncio
async def inner():
    raise RuntimeError("inner broke")
async def main():
    print("before")
    await inner()
asyncio.run(main())
""",
    "sys_exit": """
import asyncio, sys
async def main():
    print("bye")
    sys.exit(3)
asyncio.run(main())
""",
    "taskgroup_failure": """
import asyncio
async def ok():
    try:
        await asyncio.sleep(1)
    except asyncio.CancelledError:
        print("ok cancelled")
        raise
async def bad():
    await asyncio.sleep(0.001)
    raise ValueError("bad")
async def main():
    async with asyncio.TaskGroup() as tg:
        tg.create_task(ok())
        tg.create_task(bad())
asyncio.run(main())
""",
    "wait_for_timeout": """
import asyncio
async def main():
    try:
        await asyncio.wait_for(asyncio.sleep(1), timeout=0.002)
    except TimeoutError:
        print("timed out")
    async with asyncio.timeout(0.001) as cm:
        try:
            await asyncio.sleep(1)
        except asyncio.CancelledError:
            print("cancelled inside timeout")
            raise
asyncio.run(main())
""",
    "queue_pipeline": """
import asyncio
async def producer(q):
    for i in range(5):
        await q.put(i)
        await asyncio.sleep(0.0005)
    await q.put(None)
async def consumer(q):
    while (item := await q.get()) is not None:
        print("got", item)
async def main():
    q = asyncio.Queue(maxsize=2)
    await asyncio.gather(producer(q), consumer(q))
asyncio.run(main())
""",
    "lock_and_event": """
import asyncio
async def holder(lock, ev, n):
    await ev.wait()
    async with lock:
        print("holding", n)
        await asyncio.sleep(0.001)
async def main():
    lock, ev = asyncio.Lock(), asyncio.Event()
    ts = [asyncio.create_task(holder(lock, ev, n)) for n in range(3)]
    await asyncio.sleep(0.001)
    ev.set()
    await asyncio.gather(*ts)
asyncio.run(main())
""",
    "partial_lines_and_stderr": """
import asyncio, sys
async def main():
    print("a", end="")
    print("b", end="", flush=True)
    print("c")
    print("to stderr", file=sys.stderr)
    sys.stdout.write("no newline at the end")
asyncio.run(main())
""",
    "script_identity": """
import os, sys
print(__name__, os.path.basename(sys.argv[0]), sys.argv[1:], os.path.basename(sys.path[0]) == os.path.basename(os.path.dirname(os.path.abspath(__file__))))
import asyncio
print(asyncio.run(asyncio.sleep(0, "slept")))
""",
    "run_forever_stop": """
import asyncio, warnings
warnings.simplefilter("ignore", DeprecationWarning)
loop = asyncio.new_event_loop()
asyncio.set_event_loop(loop)
async def tick():
    for i in range(3):
        print("tick", i)
        await asyncio.sleep(0.001)
    loop.stop()
loop.create_task(tick())
loop.run_forever()
print("stopped")
loop.close()
""",
    "cancel_message": """
import asyncio
async def victim():
    try:
        await asyncio.sleep(1)
    except asyncio.CancelledError as e:
        print("cancelled with", e.args)
        raise
async def main():
    t = asyncio.create_task(victim())
    await asyncio.sleep(0)
    t.cancel("because")
    try:
        await t
    except asyncio.CancelledError:
        print("main saw it", t.cancelled())
asyncio.run(main())
""",
    "two_runs_and_repr": """
import asyncio
async def main(n):
    t = asyncio.current_task()
    print(n, repr(t).split(" coro=")[0])
    return n
print(asyncio.run(main(1)), asyncio.run(main(2)))
""",
    "never_retrieved": """
import asyncio, gc
async def boom():
    raise KeyError("lost")
async def main():
    asyncio.create_task(boom())
    await asyncio.sleep(0.001)
    gc.collect()
    print("after")
asyncio.run(main())
""",
    "bytes_through_buffer": """
import asyncio, sys
async def main():
    sys.stdout.write("text first\\n")
    sys.stdout.flush()
    sys.stdout.buffer.write("bytes \\u00e9\\n".encode())
    sys.stdout.buffer.flush()
    sys.stderr.buffer.write(b"err bytes\\n")
    print("text again")
asyncio.run(main())
""",
    "exit_with_message": """
import asyncio, sys
async def main():
    await asyncio.sleep(0.001)
    sys.exit("fatal: no config")
asyncio.run(main())
""",
}


class Unchanged(unittest.TestCase):
    def run_one(self, folder, argv):
        # No app anywhere: LOOPWATCH_APP empty, and agent.json looked for in an empty config dir.
        env = dict(os.environ, PYTHONPATH=AGENT_DIR, LOOPWATCH_APP="", XDG_CONFIG_HOME=os.path.join(folder, "no-config"))
        r = subprocess.run(argv, cwd=folder, env=env, capture_output=True, text=True, timeout=60)
        return r.returncode, r.stdout, r.stderr

    def test_programs_print_the_same_with_and_without_the_agent(self):
        with tempfile.TemporaryDirectory() as folder:
            for name, text in PROGRAMS.items():
                path = os.path.join(folder, f"{name}.py")
                with open(path, "w") as fh:
                    fh.write(text.lstrip())
                plain = self.run_one(folder, [sys.executable, f"{name}.py", "x", "--y"])
                # --no-app on both clocks, and the agent looking for an app that is not there
                for flags in (["--no-app"], ["--no-app", "--virtual"], []):
                    with self.subTest(program=name, flags=flags):
                        watched = self.run_one(folder, [sys.executable, "-m", "loopwatch_agent", *flags, f"{name}.py", "x", "--y"])
                        self.assertEqual(watched, plain)
        self.assertEqual(len(PROGRAMS), 16)


if __name__ == "__main__":
    unittest.main()
