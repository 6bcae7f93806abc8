"""The command line: bad input is refused with a clear message (exit 2); --json records."""
import json
import os
import subprocess
import sys
import tempfile
import unittest

AGENT_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def write(path, text):
    with open(path, "w") as fh:
        fh.write(text)


def agent(*args, cwd=None):
    env = dict(os.environ, PYTHONPATH=AGENT_DIR, LOOPWATCH_APP="")
    return subprocess.run([sys.executable, "-m", "loopwatch_agent", *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=60)


class Cli(unittest.TestCase):
    def test_refusals(self):
        with tempfile.TemporaryDirectory() as d:
            prog = os.path.join(d, "p.py")
            write(prog, "print('ran')\n")
            cases = [
                (["--virtual", "--speed", "2", prog], "--virtual and --speed exclude each other"),
                (["--speed", "0", prog], "--speed takes a number above 0"),
                (["--app", "tcp://10.0.0.1:4000?token=x", prog], "must name a loopback host"),
                (["--app", "tcp://127.0.0.1:4000", prog], "needs a token"),
                (["--app", "tcp://127.0.0.1:4000?token=x", "--no-app", prog], "--app and --no-app exclude each other"),
                (["--bogus", prog], "unknown option --bogus"),
                ([os.path.join(d, "missing.py")], "no such file"),
                ([], "which program?"),
            ]
            for args, message in cases:
                with self.subTest(args=args):
                    r = agent(*args)
                    self.assertEqual(r.returncode, 2, r.stderr)
                    self.assertIn(message, r.stderr.splitlines()[0])
                    self.assertEqual(r.stdout, "")
            # options after the program are the program's own
            r = agent("--no-app", prog, "--virtual")
            self.assertEqual((r.returncode, r.stdout), (0, "ran\n"))

    def test_json_records_on_virtual_time(self):
        with tempfile.TemporaryDirectory() as d:
            write(os.path.join(d, "p.py"),
                  "import asyncio, sys, time\n"
                "async def main():\n"
                "    print('at', time.time())\n"
                "    await asyncio.sleep(2.5)\n"
                "    print('warn', file=sys.stderr)\n"
                "    raise LookupError('gone')\n"
                "asyncio.run(main())\n")
            r = agent("--virtual", "--json", "--no-app", "p.py", cwd=d)
            recs = [json.loads(line) for line in r.stdout.splitlines()]
            self.assertEqual(r.returncode, 1)
            lines = [x for x in recs if "line" in x]
            self.assertEqual(lines, [
                {"t": 0, "line": "at 0.0", "task": "main", "taskId": 1},
                {"t": 2500, "line": "LookupError: gone", "stream": "stderr", "task": None, "taskId": None},
            ])
            self.assertIn({"t": 2500, "stderr": "warn", "task": "main", "taskId": 1}, recs)
            self.assertIn({"t": 2500, "event": "task", "id": 1, "name": "main", "state": "failed"}, recs)
            self.assertEqual(recs[-1], {"t": 2500, "exit": 1, "outcome": "failed", "error": "LookupError: gone"})
            self.assertTrue(r.stderr.endswith("LookupError: gone\n"))


if __name__ == "__main__":
    unittest.main()
