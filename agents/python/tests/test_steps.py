"""Step timing (steps.py): the app's buckets, a blocking step caught as a slow step of its task
with the awaits around it, the task's StepTiming, --slow-step-ms, and task:timing / commands the
agent does not know, answered over a real socket."""
import asyncio
import os
import subprocess
import sys
import tempfile
import time
import unittest

from loopwatch_agent import commands, steps
from loopwatch_agent.hub import HubConnection
from loopwatch_agent.tracker import tracker
from tests.fake_hub import FakeHub
from tests.helpers import by_name, run_watched

AGENT_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


class Buckets(unittest.TestCase):
    def test_the_apps_edges(self):
        # step-stats.ts: 0 under 1 µs, k for [2^(k-1), 2^k) µs, the last from 2^22 µs on.
        cases = [(0, 0), (0.000999, 0), (0.001, 1), (0.00199, 1), (0.002, 2), (0.003, 2), (0.004, 3),
                 (1, 10), (1.023, 10), (1.024, 11), (20, 15), (50, 16), (2097.151, 21), (2097.152, 22),
                 (4194.303, 22), (4194.304, 23), (1e9, 23), (float("nan"), 0), (-5, 0)]
        for ms, bucket in cases:
            with self.subTest(ms=ms):
                self.assertEqual(steps.step_bucket(ms), bucket)

    def test_whole_ns_and_ms_agree_and_the_tables_too(self):
        table = steps.step_table(steps.threshold_ns(20))
        for ns in [0, 1, 999, 1000, 1999, 2000, 65_535_000, 1_000_000, 20_000_000, 4_194_304_000, 10 ** 12]:
            with self.subTest(ns=ns):
                self.assertEqual(steps.bucket_ns(ns), steps.step_bucket(ns / 1e6))
                if ns // 1000 < len(table):
                    self.assertEqual(table[ns // 1000], steps.bucket_ns(ns))
                if ns // 1000 < len(steps.SCHED_TABLE):
                    self.assertEqual(steps.SCHED_TABLE[ns // 1000], steps.STEP_BUCKETS + steps.bucket_ns(ns))


async def blocker():
    await asyncio.sleep(0.01)
    time.sleep(0.05)  # holds the loop 50 ms: a slow step
    await asyncio.sleep(0.01)


class SlowSteps(unittest.TestCase):
    def setUp(self):
        tracker.set_threshold_ms(20)
        self.addCleanup(tracker.set_threshold_ms, 20)

    def run_blocker(self, clock="virtual"):
        async def main():
            await asyncio.create_task(blocker(), name="blocker")
        _, t = run_watched(main, clock, timed=True)
        return t

    def test_a_blocking_step_is_a_slow_step_of_its_task_with_the_awaits_around_it(self):
        t = self.run_blocker()
        rec = by_name(t, "blocker")
        out = t.flush()
        deltas = [m["delta"] for m in out if m["type"] == "tasks:delta"]
        slow = [s for d in deltas for s in d.get("slowSteps", [])]
        mine = [s for s in slow if s["taskId"] == rec.id and s["durationMs"] >= 50]
        self.assertEqual(len(mine), 1, slow)
        s = mine[0]
        self.assertEqual((s["loop"], s["runId"], s["taskName"]), (rec.info.label, None, "blocker"))
        self.assertRegex(s["resumedFrom"], r"^sleep 0\.01 s")
        self.assertRegex(s["parkedOn"], r"^sleep 0\.01 s")
        self.assertEqual(set(s), {"seq", "loop", "runId", "taskId", "taskName", "durationMs", "at", "resumedFrom", "parkedOn"})
        self.assertEqual(set(s["at"]), {"loop", "wall"})
        # Sent no earlier than the delta creating its task.
        created_in = next(i for i, d in enumerate(deltas) if any(c["id"] == rec.id for c in d["created"]))
        self.assertGreaterEqual(next(i for i, d in enumerate(deltas) if s in d.get("slowSteps", [])), created_in)

    def test_the_tasks_step_timing(self):
        t = self.run_blocker("real")
        timing = steps.timing(by_name(t, "blocker"))
        self.assertEqual(timing["steps"], 3)  # its first step, then one after each sleep
        self.assertEqual(sum(timing["stepHist"]), 3)
        self.assertEqual(sum(timing["scheduledHist"]), 3)
        self.assertEqual((len(timing["stepHist"]), len(timing["scheduledHist"])), (24, 24))
        self.assertGreaterEqual(timing["maxStepMs"], 50)
        self.assertGreaterEqual(timing["busyMs"], timing["maxStepMs"])
        self.assertGreaterEqual(timing["idleMs"], 15)  # two real 10 ms sleeps
        self.assertEqual(timing["stepHist"][steps.step_bucket(timing["maxStepMs"])], 1)

    def test_a_threshold_above_it_or_zero_records_nothing_but_still_times(self):
        for ms in (1000, 0):
            with self.subTest(ms=ms):
                tracker.set_threshold_ms(ms)
                t = self.run_blocker()
                self.assertEqual([s for m in t.flush() if m["type"] == "tasks:delta" for s in m["delta"].get("slowSteps", [])], [])
                self.assertGreaterEqual(steps.timing(by_name(t, "blocker"))["maxStepMs"], 50)

    def test_task_timing_command(self):
        t = self.run_blocker()
        rec = by_name(t, "blocker")
        ok = commands.handle({"type": "task:timing", "id": 1, "taskId": rec.id})
        self.assertEqual(ok, {"ok": True, "value": steps.timing(rec)})
        self.assertEqual(commands.handle({"type": "task:timing", "id": 2, "taskId": 999})["error"]["code"], "unknown_task")
        self.assertEqual(commands.handle({"type": "task:timing", "id": 3, "taskId": "1"})["error"]["code"], "bad_command")


def agent(*args):
    env = dict(os.environ, PYTHONPATH=AGENT_DIR, LOOPWATCH_APP="")
    return subprocess.run([sys.executable, "-m", "loopwatch_agent", *args], env=env, capture_output=True, text=True, timeout=60)


class SlowStepOption(unittest.TestCase):
    def test_bad_values_are_refused_and_nothing_runs(self):
        with tempfile.TemporaryDirectory() as d:
            prog = os.path.join(d, "p.py")
            with open(prog, "w") as fh:
                fh.write("print('ran')\n")
            for value in ("-1", "0.5", "60001", "soon"):
                with self.subTest(value=value):
                    r = agent("--no-app", "--slow-step-ms", value, prog)
                    self.assertEqual(r.returncode, 2)
                    self.assertIn("--slow-step-ms takes real ms: 1 … 60000, or 0 for no slow steps", r.stderr)
                    self.assertEqual(r.stdout, "")
            r = agent("--no-app", "--slow-step-ms", "5", prog)
            self.assertEqual((r.returncode, r.stdout), (0, "ran\n"))


# A task that holds its loop 50 ms, then the program waits (real time) until the test has asked
# task:timing and written "go" next to it.
HOLDER = """import asyncio, os, time
async def blocker():
    await asyncio.sleep(0)
    time.sleep(0.05)
    await asyncio.sleep(0)
async def main():
    await asyncio.create_task(blocker(), name="blocker")
    go = os.path.join(os.path.dirname(os.path.abspath(__file__)), "go")
    for _ in range(600):
        if os.path.exists(go):
            break
        await asyncio.sleep(0.05)
asyncio.run(main())
"""


class StepTimingOption(unittest.TestCase):
    """Step timing is opt-in: the default agent reads no clock per step, answers task:timing with
    null and sends no slow step; --step-timing (or --slow-step-ms) times every step."""

    def run_holder(self, *options):
        hub = FakeHub()
        self.addCleanup(hub.close)
        d = tempfile.TemporaryDirectory()
        self.addCleanup(d.cleanup)
        prog = os.path.join(d.name, "holder.py")
        with open(prog, "w") as fh:
            fh.write(HOLDER)
        env = dict(os.environ, PYTHONPATH=AGENT_DIR, LOOPWATCH_APP="")
        proc = subprocess.Popen([sys.executable, "-m", "loopwatch_agent", "--app", hub.url, *options, prog], env=env,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        self.addCleanup(proc.kill)

        def deltas(m):
            return [x["delta"] for x in m if x.get("type") == "tasks:delta"]

        def blocker_id(m):  # once the blocker is done (its steps are all taken)
            done = [t["id"] for d in deltas(m) for key in ("created", "changed", "ended") for t in d.get(key, [])
                    if t.get("name") == "blocker" and t.get("state") == "done"]
            return done[0] if done else None
        self.assertTrue(hub.wait_for(blocker_id, 30), "the blocker never ended")
        rid = blocker_id(hub.sessions[-1])
        hub.send({"type": "task:timing", "id": 9, "taskId": rid})
        self.assertTrue(hub.wait_for(lambda m: any(x.get("type") == "result" and x.get("id") == 9 for x in m)))
        with open(os.path.join(d.name, "go"), "w"):
            pass
        out, err = proc.communicate(timeout=60)
        self.assertEqual((proc.returncode, out, err), (0, "", ""))
        self.assertTrue(hub.wait_ended(1))
        msgs = hub.sessions[-1]
        answer = next(x for x in msgs if x.get("type") == "result" and x.get("id") == 9)
        slow = [s for d in deltas(msgs) for s in d.get("slowSteps", []) if s["taskId"] == rid]
        return answer, slow

    def test_off_by_default_task_timing_is_null_and_no_step_is_slow(self):
        answer, slow = self.run_holder()
        self.assertEqual((answer["ok"], answer["value"]), (True, None))
        self.assertEqual(slow, [])

    def test_step_timing_and_slow_step_ms_turn_it_on(self):
        for options in (["--step-timing"], ["--slow-step-ms", "30"]):
            with self.subTest(options=options):
                answer, slow = self.run_holder(*options)
                self.assertTrue(answer["ok"], answer)
                self.assertEqual(answer["value"]["steps"], 3)
                self.assertGreaterEqual(answer["value"]["maxStepMs"], 50)
                self.assertEqual(len(slow), 1, slow)
                self.assertGreaterEqual(slow[0]["durationMs"], 50)


class EveryCommandAnswered(unittest.TestCase):
    def test_commands_it_does_not_know_get_unknown_command_and_task_timing_an_answer(self):
        hub = FakeHub()
        self.addCleanup(hub.close)
        conn = HubConnection(lambda: ("127.0.0.1", hub.port, hub.token), "t.py", {"kind": "real"},
                             commands.handle, lambda: [])
        self.addCleanup(conn.close, 0, "done", 2.0)
        self.assertTrue(hub.wait_for(lambda m: len(m) >= 1))
        deadline = time.monotonic() + 10
        while conn.status != "connected" and time.monotonic() < deadline:
            time.sleep(0.01)
        hub.send({"type": "loop:inspect", "id": 3, "loopId": "loop-1"})
        hub.send({"type": "resources", "id": 4})
        hub.send({"type": "frobnicate", "id": 5, "x": 1})
        hub.send({"type": "task:timing", "id": 6, "taskId": 12345})
        hub.send({"type": "pong", "id": 7})  # not a command: no answer
        hub.send({"type": "notice", "what": "app-closing", "message": "bye"})

        def results(m):
            return {r["id"]: r for r in m if r.get("type") == "result"}
        self.assertTrue(hub.wait_for(lambda m: set(results(m)) >= {3, 4, 5, 6}), hub.sessions)
        got = results(hub.sessions[-1])
        for rid in (3, 4, 5):
            self.assertEqual((got[rid]["ok"], got[rid]["error"]["code"]), (False, "unknown_command"))
        self.assertEqual(got[6]["error"]["code"], "unknown_task")
        self.assertNotIn(7, got)


if __name__ == "__main__":
    unittest.main()
