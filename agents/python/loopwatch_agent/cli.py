"""`python3 -m loopwatch_agent [options] program.py [args]`: runs the program as `python3
program.py args` would, with the agent attached.

Same output, order and exit status as without the agent: the file runs through runpy as
`__main__`, its folder first on sys.path, sys.argv = [program.py, *args]; an uncaught exception
prints CPython's traceback (without the agent's frames) and exits 1; SystemExit and
KeyboardInterrupt end the process as CPython ends it.
"""
import asyncio
import os
import runpy
import signal
import sys
import threading
import time
import traceback

from . import commands
from .clocks import make_clock
from .limits import SLOW_STEP_DEFAULT_MS, SLOW_STEP_MAX_MS, SLOW_STEP_MIN_MS
from .loop import WatchedPolicy
from .output import LineTap, current_task
from .tracker import tracker

USAGE = """usage: python3 -m loopwatch_agent [--virtual | --speed N] [--json] [--app URL | --no-app]
                                  [--role child|service] [--grace-ms M] [--stop-at MS]
                                  [--step-timing] [--slow-step-ms N] program.py [args ...]

  --virtual     loops run on a virtual clock: it starts at 0 and jumps to the next timer when
                nothing is ready (timers due together fire in scheduling order); time.time()
                reads it too
  --speed N     loops run on a clock N times faster than real time
  --json        print the trace as JSON lines ({"t","line"} records on the loop clock, task events,
                the exit record), as `loopwatch run --json` does, for shared/oracle/compare.py
  --app URL     the Loopwatch app: tcp://127.0.0.1:<port>?token=… (default: LOOPWATCH_APP, agent.json)
  --no-app      run without connecting to the app
  --role R      what this process is to the app: child (the app or `loopwatch run` started it; the
                app's graceful shutdown stops it) or service (runs on its own; the default)
  --grace-ms M  on SIGTERM, stop gracefully: cancel every task, M ms for cleanup (default: SIGTERM kills)
  --stop-at MS  stop gracefully when the loop clock reaches MS ms (an endless program on --virtual)
  --step-timing time every task step (task:timing, slow steps); off by default: it costs a clock
                read per step, and untimed task:timing answers null and no step is slow
  --slow-step-ms N
                a task step that holds its loop N real ms or more is sent to the app as a slow
                step (default 20; 1 … 60000, or 0 for none); implies --step-timing"""

STOP_EXIT = 130
ROLES = ("child", "service")  # the hello's role (docs/agent-protocol.md, Children and services)


class UsageError(Exception):
    pass


def parse(argv):
    opts = {"clock": "real", "json": False, "app": None, "no_app": False, "role": "service", "grace_ms": None, "stop_at": None,
            "slow_step_ms": SLOW_STEP_DEFAULT_MS, "step_timing": False}
    i = 0
    while i < len(argv):
        a = argv[i]

        def value():
            if i + 1 >= len(argv):
                raise UsageError(f"{a} needs a value")
            return argv[i + 1]
        if a in ("-h", "--help"):
            return "help"
        if a == "--virtual":
            if opts["clock"] != "real":
                raise UsageError("--virtual and --speed exclude each other")
            opts["clock"] = "virtual"
        elif a == "--speed":
            if opts["clock"] != "real":
                raise UsageError("--virtual and --speed exclude each other")
            try:
                rate = float(value())
            except ValueError:
                rate = float("nan")
            if not (0 < rate <= 1e6):
                raise UsageError(f"--speed takes a number above 0 (at most 1e6), got {argv[i + 1]}")
            opts["clock"] = ("scaled", rate)
            i += 1
        elif a == "--step-timing":
            opts["step_timing"] = True
        elif a == "--json":
            opts["json"] = True
        elif a == "--app":
            opts["app"] = value()
            i += 1
        elif a == "--no-app":
            opts["no_app"] = True
        elif a == "--role":
            if value() not in ROLES:
                raise UsageError(f"--role takes {' or '.join(ROLES)}, got {argv[i + 1][:50]}")
            opts["role"] = argv[i + 1]
            i += 1
        elif a in ("--grace-ms", "--stop-at"):
            try:
                n = float(value())
            except ValueError:
                n = -1.0
            if not 0 <= n <= (600_000 if a == "--grace-ms" else 1e12):
                raise UsageError(f"{a} takes a number of ms (0 … {'600000' if a == '--grace-ms' else '1e12'}), got {argv[i + 1]}")
            opts["grace_ms" if a == "--grace-ms" else "stop_at"] = n
            i += 1
        elif a == "--slow-step-ms":
            try:
                n = float(value())
            except ValueError:
                n = -1.0
            if not (n == 0 or SLOW_STEP_MIN_MS <= n <= SLOW_STEP_MAX_MS):
                raise UsageError(f"--slow-step-ms takes real ms: {SLOW_STEP_MIN_MS} … {SLOW_STEP_MAX_MS}, or 0 for no slow steps; got {argv[i + 1][:50]}")
            opts["slow_step_ms"], opts["step_timing"] = n, True
            i += 1
        elif a.startswith("-") and a != "-":
            raise UsageError(f"unknown option {a}")
        else:
            opts["file"], opts["args"] = a, argv[i + 1:]
            break
        i += 1
    if "file" not in opts:
        raise UsageError("which program? (python3 -m loopwatch_agent my_program.py)")
    if opts["app"] is not None and opts["no_app"]:
        raise UsageError("--app and --no-app exclude each other")
    if opts["app"] is not None:
        from . import hub  # only when connecting (urllib, json): start-up is overhead too
        try:
            hub.parse_app_url(opts["app"])
        except ValueError as exc:
            raise UsageError(str(exc)) from None
    if not os.path.isfile(opts["file"]):
        raise UsageError(f"{opts['file']}: no such file")
    return opts


class Json:
    """The --json trace on the real stdout: line, stderr, task and exit records."""

    def __init__(self, out):
        import json  # only with --json: start-up is part of the agent's overhead
        self._dumps = json.dumps
        self._out = out
        self._lock = threading.Lock()

    def emit(self, rec):
        with self._lock:
            self._out.write(self._dumps(rec, ensure_ascii=False) + "\n")
            self._out.flush()

    def t(self):
        return tracker.now_t()

    def line(self, stream, line, task):
        rec = tracker.live.get(id(task)) if task is not None else None
        who = {"task": rec.name if rec else None, "taskId": rec.id if rec else None}
        if stream == "stdout":
            self.emit(dict({"t": self.t(), "line": line}, **who))
        else:
            self.emit(dict({"t": self.t(), "stderr": line}, **who))

    def state(self, rec, state):
        self.emit({"t": rec.info.ms(), "event": "task", "id": rec.id, "name": rec.name, "state": state})


def _program_traceback(exc, path):
    """The traceback as CPython prints it for `python3 path`: the agent's and runpy's frames cut."""
    tb = exc.__traceback__
    target = os.path.realpath(path)
    probe = tb
    while probe is not None and os.path.realpath(probe.tb_frame.f_code.co_filename) != target:
        probe = probe.tb_next
    return probe if probe is not None else tb


def _shadow_warning(path):
    """A program folder holding e.g. http.py or asyncio.py shadows that standard module for every
    import (aiohttp's too): say so up front instead of letting it fail deep inside a library."""
    folder = os.path.dirname(os.path.abspath(path))
    names = getattr(sys, "stdlib_module_names", ())
    try:
        found = sorted(f for f in os.listdir(folder) if f.endswith(".py") and f[:-3] in names)
    except OSError:
        return None
    if not found:
        return None
    return (f"loopwatch agent: note: {', '.join(found)} in {folder} shadow{'s' if len(found) == 1 else ''} the standard "
            f"module{'s' if len(found) > 1 else ''} of the same name for this program (its folder comes first on sys.path)")


def main(argv):
    try:
        opts = parse(argv)
    except UsageError as exc:
        sys.stderr.write(f"loopwatch_agent: {exc}\n{USAGE}\n")
        return 2
    if opts == "help":
        sys.stdout.write(USAGE + "\n")
        return 0
    return Agent(opts).run()


class Agent:
    def __init__(self, opts):
        self.opts = opts
        self.path = opts["file"]
        self.stopped = None  # why the agent stopped the program, if it did
        self.real_out, self.real_err = sys.stdout, sys.stderr
        self.json = Json(self.real_out) if opts["json"] else None
        self.conn = None
        self._flush_pending = False
        self._answering_stop = None  # set while a stop command's result is not yet sent

    # ---- wiring ----
    def _on_line(self, stream, line, task):
        tracker.log(stream, line, task)
        if self.json is not None and not self._quiet_err:
            self.json.line(stream, line, task)

    def _install(self):
        clock_spec = self.opts["clock"]
        if self.json is not None:
            tracker.on_state = self.json.state
        tracker.set_threshold_ms(self.opts["slow_step_ms"])
        self._quiet_err = False
        self.out_tap = LineTap(self.real_out, "stdout", self._on_line, passthrough=self.json is None)
        self.err_tap = LineTap(self.real_err, "stderr", self._on_line)
        sys.stdout, sys.stderr = self.out_tap, self.err_tap
        if clock_spec == "virtual":
            self._virtual_time()
        asyncio.set_event_loop_policy(WatchedPolicy(lambda: make_clock(clock_spec), self._loop_created,
                                                     timed=self.opts["step_timing"]))
        if not self.opts["no_app"]:
            from . import hub
            clock = make_clock(clock_spec).describe()
            self.conn = hub.HubConnection(hub.locator(self.opts["app"]), os.path.basename(self.path), clock,
                                          self._command, tracker.resync, role=self.opts["role"])
            threading.Thread(target=self._flusher, name="loopwatch-agent-flush", daemon=True).start()
        if self.opts["grace_ms"] is not None:
            signal.signal(signal.SIGTERM, lambda *_: threading.Thread(target=self._stop, args=(self.opts["grace_ms"], "SIGTERM"), daemon=True).start())

    def _virtual_time(self):
        real_time = time.time

        def virtual_time():
            """time.time() on the virtual clock: loop seconds since the loop started."""
            info = tracker.running_info()
            return (info.ms() if info is not None else tracker.last_t) / 1000
        virtual_time.real = real_time
        time.time = virtual_time

    def _loop_created(self, loop):
        if self.opts["stop_at"] is not None:
            at = self.opts["stop_at"] / 1000

            def stop_here():
                threading.Thread(target=self._stop, args=(5_000, f"--stop-at {self.opts['stop_at']:g} ms"), daemon=True).start()
            loop.call_at(loop.time() + at, stop_here)

    def _flusher(self):
        period = 1 / 10
        while True:
            time.sleep(period)
            self.flush_soon()

    def flush_soon(self):
        if not (tracker.dirty or tracker.logs or tracker.pending_loop_messages or tracker.dropped):
            return
        running = [i.loop for i in list(tracker.loops.values()) if i.loop.is_running()]
        if running and not self._flush_pending:
            self._flush_pending = True

            def in_loop():
                self._flush_pending = False
                self.flush()
            try:
                running[-1].call_soon_threadsafe(in_loop)
                return
            except RuntimeError:
                self._flush_pending = False
        if not running:
            self.flush()

    def flush(self):
        if self.conn is None:
            tracker.flush()  # nothing to send to: keep the buffers bounded
            return
        for msg in tracker.flush():
            self.conn.send(msg)

    # ---- commands ----
    def _command(self, msg):
        if msg.get("type") == "stop":
            grace = msg.get("graceMs")
            if isinstance(grace, bool) or not isinstance(grace, (int, float)) or not 0 <= grace <= 600_000:
                return {"ok": False, "error": {"code": "bad_command", "message": "graceMs must be 0 … 600000"}}
            self._answering_stop = threading.Event()
            report = self._stop(grace, "stopped from the app", answer=True)
            return {"ok": True, "value": report, "_after": self._after_stop}
        result = commands.handle(msg)
        self.flush_soon()
        return result

    def _stop(self, grace_ms, why, answer=False):
        if self.stopped is not None and not answer:
            return None
        self.stopped = why
        report = commands.shutdown(grace_ms, reason=why)
        self.flush_soon()
        if not answer:
            self._after_stop()
        return report

    def _after_stop(self):
        if self._answering_stop is not None:
            self._answering_stop.set()  # the result is queued: bye may follow it
        commands.stop_loops()
        # A task that ignores its cancellation forever would hang asyncio.run's cleanup.
        def last_resort():
            time.sleep(2.0)
            self._finish(STOP_EXIT, "stopped")
            os._exit(STOP_EXIT)
        threading.Thread(target=last_resort, daemon=True).start()

    # ---- running the program ----
    def run(self):
        self._install()
        sys.argv = [self.path] + list(self.opts["args"])
        sys.path[0] = os.path.dirname(os.path.abspath(self.path))
        code, outcome = 0, "done"
        try:
            runpy.run_path(os.path.abspath(self.path), run_name="__main__")
        except SystemExit as exc:
            code = _exit_code(exc)
            outcome = "done" if code == 0 else "failed"
        except KeyboardInterrupt as exc:
            if self.stopped:
                code, outcome = self._stopped_exit()
            else:
                self._print_traceback(exc)
                self._finish(STOP_EXIT, "cancelled")
                sys.stdout, sys.stderr = self.real_out, self.real_err
                signal.signal(signal.SIGINT, signal.SIG_DFL)
                os.kill(os.getpid(), signal.SIGINT)
                return STOP_EXIT
        except BaseException as exc:
            if self.stopped:
                code, outcome = self._stopped_exit()
            else:
                self._print_traceback(exc)
                code, outcome = 1, "failed"
                warning = _shadow_warning(self.path)  # only when it failed: the likely cause
                if warning:
                    self.real_err.write(warning + "\n")
        else:
            if self.stopped:
                code, outcome = self._stopped_exit()
        self._finish(code, outcome)
        return code

    def _stopped_exit(self):
        self.err_tap.write(f"loopwatch agent: {self.stopped}: every task was cancelled\n")
        return STOP_EXIT, "cancelled"

    def _print_traceback(self, exc):
        tb = _program_traceback(exc, self.path)
        lines = traceback.format_exception(type(exc), exc, tb)
        self._quiet_err = True  # the lines are stderr records; the last one is the trace's error line
        try:
            self.err_tap.write("".join(lines))
            self.err_tap.flush()
        finally:
            self._quiet_err = False
        last = "".join(traceback.format_exception_only(type(exc), exc)).rstrip("\n").split("\n")[-1]
        if self.json is not None:
            for text in "".join(lines).rstrip("\n").split("\n")[:-1]:
                self.json.emit({"t": self.json.t(), "stderr": text, "task": None, "taskId": None})
            self.json.emit({"t": self.json.t(), "line": last, "stream": "stderr", "task": None, "taskId": None})
        self._error = last

    def _finish(self, code, outcome):
        if getattr(self, "_finished", False):
            return
        self._finished = True
        for tap in (self.out_tap, self.err_tap):
            try:
                tap.flush()
                tap.finish()
            except (OSError, ValueError):
                pass
        if self.json is not None:
            rec = {"t": self.json.t(), "exit": code, "outcome": outcome}
            if getattr(self, "_error", None):
                rec["error"] = self._error
            self.json.emit(rec)
        if self.conn is not None:
            if self._answering_stop is not None:
                self._answering_stop.wait(5.0)
            self.flush()
            self.conn.close(code, "finished" if outcome == "done" else outcome)


def _exit_code(exc):
    code = exc.code
    if code is None:
        return 0
    if isinstance(code, int):
        return code
    sys.stderr.write(f"{code}\n")
    return 1
