"""Agent overhead on a task-switch-heavy program (a benchmark, not a test).

    /usr/bin/python3 agents/python/bench.py [--tasks 200] [--switches 500] [--runs 9]

Runs one program — `tasks` tasks each doing `switches` x `await asyncio.sleep(0)`, plus a queue
ping-pong — as `python3 prog.py`, under the agent with --no-app, and under the agent connected to
a local stand-in hub (a socket that says welcome and reads every line, so deltas are really built
and sent at 10/s). Prints the best CPU time (user + system) of each and the overhead against plain
CPython (CPU time, because wall time on a shared 2-core machine mostly measures the neighbours); then
the same asyncio.run timed inside one process (plain loop against the watched loop with a
flusher running), which leaves out interpreter start-up and is steadier on a busy machine.
Each agent figure is the default (untimed) agent's, with the `--step-timing` agent's beside it
(`…_timed`), measured in the same interleaved runs.
"""
import argparse
import json
import os
import socket
import subprocess
import sys
import tempfile
import threading
import time

PROGRAM = """
import asyncio, sys
TASKS, SWITCHES = int(sys.argv[1]), int(sys.argv[2])
async def spinner():
    for _ in range(SWITCHES):
        await asyncio.sleep(0)
async def ping(q_in, q_out, n):
    for i in range(n):
        await q_out.put(i)
        await q_in.get()
async def pong(q_in, q_out, n):
    for i in range(n):
        await q_out.put(await q_in.get())
async def main():
    a, b = asyncio.Queue(), asyncio.Queue()
    await asyncio.gather(*(spinner() for _ in range(TASKS)), ping(a, b, SWITCHES * 20), pong(b, a, SWITCHES * 20))
    print("switches", TASKS * SWITCHES + SWITCHES * 40)
asyncio.run(main())
"""


def stand_in_hub():
    """A loopback listener that answers hello with welcome and drains everything after it."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen()
    received = {"bytes": 0}

    def serve():
        while True:
            conn, _ = server.accept()
            threading.Thread(target=session, args=(conn,), daemon=True).start()

    def session(conn):
        f = conn.makefile("rb")
        f.readline()
        conn.sendall(b'{"type":"welcome","protocol":1,"sourceId":"agent-1","limits":{"maxLineBytes":4194304}}\n')
        for line in f:
            received["bytes"] += len(line)

    threading.Thread(target=serve, daemon=True).start()
    return f"tcp://127.0.0.1:{server.getsockname()[1]}?token=bench", received


def best(variants, runs, env):
    """Best wall time of each command line, the variants interleaved run by run so that a busy
    moment of a shared machine hits all of them alike."""
    import resource
    times = [[] for _ in variants]
    for _ in range(runs):
        for i, argv in enumerate(variants):
            r0 = resource.getrusage(resource.RUSAGE_CHILDREN)
            subprocess.run(argv, check=True, stdout=subprocess.DEVNULL, env=env)
            r1 = resource.getrusage(resource.RUSAGE_CHILDREN)
            # CPU seconds of the child (user + system): steadier than wall time on a shared machine
            times[i].append((r1.ru_utime - r0.ru_utime) + (r1.ru_stime - r0.ru_stime))
    return [min(t) for t in times]


def in_process(tasks, switches, runs):
    """The same program's asyncio.run, timed inside one process: plain asyncio against the
    agent's watched loop with its flusher (no socket). No start-up cost, no other process."""
    import asyncio
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    from loopwatch_agent.clocks import make_clock
    from loopwatch_agent.loop import WatchedPolicy
    from loopwatch_agent.tracker import tracker
    scope = {"__name__": "bench"}
    exec(PROGRAM.replace("asyncio.run(main())", "").replace("TASKS, SWITCHES = int(sys.argv[1]), int(sys.argv[2])",
                                                             f"TASKS, SWITCHES = {tasks}, {switches}"), scope)
    plain_policy = asyncio.DefaultEventLoopPolicy()
    watched = WatchedPolicy(lambda: make_clock("real"))
    timed = WatchedPolicy(lambda: make_clock("real"), timed=True)
    stop = threading.Event()

    def flusher():  # what the agent's flush thread does, 10 times a second
        while not stop.wait(0.1) and not os.environ.get("BENCH_NO_FLUSH"):
            tracker.flush()
    threading.Thread(target=flusher, daemon=True).start()
    times = {"plain": [], "watched": [], "timed": []}
    out = sys.stdout
    sys.stdout = open(os.devnull, "w")
    try:
        for _ in range(runs):
            for name, policy in (("plain", plain_policy), ("watched", watched), ("timed", timed)):
                asyncio.set_event_loop_policy(policy)
                t0 = time.process_time()  # CPU time of the process, the flusher thread included
                asyncio.run(scope["main"]())
                times[name].append(time.process_time() - t0)
    finally:
        sys.stdout = out
        stop.set()
        asyncio.set_event_loop_policy(None)
    return min(times["plain"]), min(times["watched"]), min(times["timed"])


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--tasks", type=int, default=200)
    ap.add_argument("--switches", type=int, default=500)
    ap.add_argument("--runs", type=int, default=9)
    a = ap.parse_args()
    here = os.path.dirname(os.path.abspath(__file__))
    env = dict(os.environ, PYTHONPATH=here, LOOPWATCH_APP="")
    url, received = stand_in_hub()
    with tempfile.TemporaryDirectory() as d:
        prog = os.path.join(d, "switches.py")
        with open(prog, "w") as fh:
            fh.write(PROGRAM)
        args = [prog, str(a.tasks), str(a.switches)]
        py = sys.executable
        agent = [py, "-m", "loopwatch_agent"]
        plain, no_app, hub, no_app_t, hub_t = best([
            [py, *args], [*agent, "--no-app", *args], [*agent, "--app", url, *args],
            [*agent, "--step-timing", "--no-app", *args], [*agent, "--step-timing", "--app", url, *args]], a.runs, env)
    switches = a.tasks * a.switches + a.switches * 40
    ip_plain, ip_watched, ip_timed = in_process(a.tasks, a.switches, a.runs)

    def over(t, base):
        return f"{(t / base - 1) * 100:.1f}%"
    print(json.dumps({"python": sys.version.split()[0], "switches": switches, "plain_cpu_s": round(plain, 3),
                      "agent_no_app_cpu_s": round(no_app, 3), "agent_with_hub_cpu_s": round(hub, 3),
                      "agent_no_app_timed_cpu_s": round(no_app_t, 3), "agent_with_hub_timed_cpu_s": round(hub_t, 3),
                      "overhead_no_app": over(no_app, plain), "overhead_no_app_timed": over(no_app_t, plain),
                      "overhead_with_hub": over(hub, plain), "overhead_with_hub_timed": over(hub_t, plain),
                      "hub_received_bytes": received["bytes"],
                      "in_process_plain_cpu_s": round(ip_plain, 3), "in_process_watched_cpu_s": round(ip_watched, 3),
                      "in_process_timed_cpu_s": round(ip_timed, 3),
                      "overhead_in_process": over(ip_watched, ip_plain), "overhead_in_process_timed": over(ip_timed, ip_plain)}))


if __name__ == "__main__":
    main()
