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


    def test_lines_through_write_buffer_and_stderr_are_the_printing_tasks(self):
        program = (
            "import asyncio, sys\n"
            "async def writer():\n"
            "    sys.stdout.write('via write\\n')\n"
            "    sys.stdout.buffer.write('via buffer \\u00e9'.encode()[:-1])\n"  # é split across two writes
            "    sys.stdout.buffer.write('\\u00e9'.encode()[-1:] + b' and on\\n')\n"
            "    sys.stdout.buffer.flush()\n"
            "    print('to stderr', file=sys.stderr)\n"
            "    sys.stderr.buffer.write(b'stderr bytes\\n')\n"
            "    sys.stdout.buffer.writelines([b'one\\n', b'two\\n'])\n"
            "async def main():\n"
            "    await asyncio.create_task(writer(), name='writer')\n"
            "    sys.stdout.buffer.write(b'from main\\n')\n"
            "    sys.stdout.flush()\n"
            "asyncio.run(main())\n")
        with tempfile.TemporaryDirectory() as d:
            write(os.path.join(d, "p.py"), program)
            r = agent("--virtual", "--json", "--no-app", "p.py", cwd=d)
            self.assertEqual(r.returncode, 0, r.stderr)
            recs = [json.loads(line) for line in r.stdout.splitlines()]  # every stdout line is a record
            printed = [(x.get("line", x.get("stderr")), x["task"]) for x in recs if "line" in x or "stderr" in x]
            self.assertEqual(printed, [("via write", "writer"), ("via buffer \u00e9 and on", "writer"), ("to stderr", "writer"),
                                       ("stderr bytes", "writer"), ("one", "writer"), ("two", "writer"), ("from main", "main")])
            self.assertEqual([x for x in recs if x.get("stderr") == "stderr bytes"][0]["taskId"], 2)
            self.assertEqual(r.stderr, "to stderr\nstderr bytes\n")
            # without --json the bytes pass through as they do without the agent
            plain = subprocess.run([sys.executable, "p.py"], cwd=d, capture_output=True, timeout=60)
            watched = subprocess.run([sys.executable, "-m", "loopwatch_agent", "--no-app", "p.py"], cwd=d, capture_output=True,
                                     timeout=60, env=dict(os.environ, PYTHONPATH=AGENT_DIR, LOOPWATCH_APP=""))
            self.assertEqual((watched.returncode, watched.stdout, watched.stderr), (plain.returncode, plain.stdout, plain.stderr))


if __name__ == "__main__":
    unittest.main()
