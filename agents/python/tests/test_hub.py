"""The agent's connection to the app, against a fake hub on a real socket: the hello's role, and the
bye of a program that ends before the welcome arrives."""
import os
import socket
import subprocess
import sys
import tempfile
import threading
import time
import unittest

from loopwatch_agent.hub import HubConnection

from .fake_hub import FakeHub

AGENT_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def agent(*args, cwd=None):
    env = dict(os.environ, PYTHONPATH=AGENT_DIR, LOOPWATCH_APP="")
    return subprocess.run([sys.executable, "-m", "loopwatch_agent", *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=60)


def write(path, text):
    with open(path, "w") as fh:
        fh.write(text)


QUICK = "import asyncio\nasync def main():\n    await asyncio.sleep(1)\n    print('over')\nasyncio.run(main())\n"


class Role(unittest.TestCase):
    def setUp(self):
        self.hub = FakeHub()
        self.addCleanup(self.hub.close)
        self.dir = tempfile.TemporaryDirectory()
        self.addCleanup(self.dir.cleanup)
        self.prog = os.path.join(self.dir.name, "quick.py")
        write(self.prog, QUICK)

    def hello_of(self, *options):
        r = agent("--virtual", "--app", self.hub.url, *options, self.prog)
        self.assertEqual((r.returncode, r.stdout, r.stderr), (0, "over\n", ""))
        self.assertTrue(self.hub.wait_ended(len(self.hub.sessions)))
        return self.hub.sessions[-1][0]

    def test_role_child_is_in_the_hello(self):
        hello = self.hello_of("--role", "child")
        self.assertEqual((hello["type"], hello["name"], hello["role"]), ("hello", "quick.py", "child"))

    def test_service_by_default_and_when_asked(self):
        self.assertEqual(self.hello_of()["role"], "service")
        self.assertEqual(self.hello_of("--role", "service")["role"], "service")

    def test_a_bad_role_is_refused_and_nothing_runs(self):
        for args, message in [(["--role", "parent", self.prog], "--role takes child or service, got parent"),
                              (["--role"], "--role needs a value")]:
            with self.subTest(args=args):
                r = agent(*args)
                self.assertEqual(r.returncode, 2, r.stderr)
                self.assertEqual(r.stderr.splitlines()[0], f"loopwatch_agent: {message}")
                self.assertEqual(r.stdout, "")
        self.assertEqual(self.hub.sessions, [])


# Over before the hub's welcome can arrive: two tasks on the virtual clock, then a file saying so.
ENDS_AT_ONCE = """import asyncio
async def worker():
    await asyncio.sleep(30)
    print("worker done")
async def main():
    await asyncio.create_task(worker(), name="worker")
asyncio.run(main())
open("ended", "w").close()
"""


class ByeBeforeWelcome(unittest.TestCase):
    def test_a_program_over_before_the_welcome_still_sends_its_tasks_and_bye(self):
        d = tempfile.TemporaryDirectory()
        self.addCleanup(d.cleanup)
        ended = os.path.join(d.name, "ended")

        def late_welcome():
            # The welcome leaves only once the program is over, and 200 ms later still (a busy app).
            give_up = time.monotonic() + 30
            while not os.path.exists(ended) and time.monotonic() < give_up:
                time.sleep(0.005)
            time.sleep(0.2)
        hub = FakeHub(release_welcome=late_welcome)
        self.addCleanup(hub.close)
        write(os.path.join(d.name, "fast.py"), ENDS_AT_ONCE)
        r = agent("--virtual", "--app", hub.url, "fast.py", cwd=d.name)
        self.assertEqual((r.returncode, r.stdout, r.stderr), (0, "worker done\n", ""))
        self.assertTrue(hub.wait_ended())
        [msgs] = hub.sessions
        kinds = [m["type"] for m in msgs]
        self.assertEqual(kinds[0], "hello")
        self.assertEqual(kinds[-2:], ["bye", "(end of connection)"])
        self.assertEqual(msgs[-2], {"type": "bye", "code": 0, "reason": "finished"})
        final = {t["name"]: t["state"] for m in msgs if m["type"] == "tasks:delta"
                 for key in ("created", "changed", "ended") for t in m["delta"][key]}
        self.assertEqual(final, {"main": "done", "worker": "done"})
        lines = [entry["line"] for m in msgs if m["type"] == "tasks:delta" for entry in m["delta"]["logs"]]
        self.assertEqual(lines, ["worker done"])


def connection(locate):
    return HubConnection(locate, "p.py", {"kind": "virtual"}, lambda msg: {"ok": True, "value": None}, lambda: [])


def closed_port():
    """A loopback port nothing listens on (an agent.json left by an app that is gone)."""
    s = socket.create_server(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


class CloseWithoutHub(unittest.TestCase):
    """close() waits for a connection in progress, but not when there is no hub to reach: the
    bound is 2 s, and these must not come near it (the program's exit would be slower for it)."""

    def close_takes(self, conn):
        started = time.monotonic()
        conn.close(0, "finished")
        return time.monotonic() - started

    def test_no_agent_file_returns_at_once(self):
        conn = connection(lambda: "no /nowhere/agent.json: is the app running?")
        self.assertLess(self.close_takes(conn), 1.0)
        self.assertEqual(conn.status, "closed")

    def test_nothing_listening_returns_at_once(self):
        port = closed_port()
        tried = threading.Event()

        def locate():
            tried.set()
            return "127.0.0.1", port, "tok"
        conn = connection(locate)
        self.assertTrue(tried.wait(5))
        self.assertLess(self.close_takes(conn), 1.0)
        self.assertEqual(conn.status, "closed")

    def test_closed_before_it_located_the_hub_it_still_tries_once(self):
        hub = FakeHub()
        self.addCleanup(hub.close)
        go = threading.Event()

        def locate():
            go.wait(5)  # the program is over before the connection thread is past this (or even here)
            return "127.0.0.1", hub.port, hub.token
        conn = connection(locate)
        conn.send({"type": "loop:added", "loop": "loop-1", "clock": {"kind": "virtual"}})
        threading.Timer(0.1, go.set).start()
        conn.close(0, "finished")
        self.assertTrue(hub.wait_ended())
        self.assertEqual([m["type"] for m in hub.sessions[0]], ["hello", "loop:added", "bye", "(end of connection)"])

    def test_a_hub_that_never_welcomes_costs_at_most_the_bound(self):
        never = threading.Event()
        hub = FakeHub(release_welcome=lambda: never.wait(30))
        self.addCleanup(never.set)
        self.addCleanup(hub.close)
        conn = connection(lambda: ("127.0.0.1", hub.port, hub.token))
        took = self.close_takes(conn)
        self.assertGreaterEqual(took, 1.9)
        self.assertLess(took, 3.5)
        self.assertEqual([m["type"] for m in hub.sessions[0]], ["hello"])


if __name__ == "__main__":
    unittest.main()
