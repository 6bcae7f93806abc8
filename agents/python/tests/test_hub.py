"""The agent's connection to the app, against a fake hub on a real socket: the hello's role, and the
bye of a program that ends before the welcome arrives."""
import os
import subprocess
import sys
import tempfile
import unittest

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


if __name__ == "__main__":
    unittest.main()
