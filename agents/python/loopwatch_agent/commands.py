"""The app's commands (cancel, deadline:set / deadline:clear, task:timing, stop) and graceful shutdown.

Commands arrive on the connection's thread; each is carried out on the thread of the task's loop
(`call_soon_threadsafe`), because asyncio objects belong to their loop's thread. Results are the
protocol's typed values: a TaskSnapshot, a ShutdownReport, or `{code, message}`.
"""
import asyncio
import threading
import time

from . import internals, steps
from .limits import MAX_REPORT_ENTRIES, MAX_TEXT, clip
from .tracker import tracker, wall_ms


class CommandFailure(Exception):
    def __init__(self, code, message):
        super().__init__(message)
        self.code = code


def on_loop(loop, fn, timeout=5.0):
    """Runs fn() on `loop`'s thread and returns its result (directly when the loop is not running)."""
    if not loop.is_running() or loop.is_closed() or asyncio._get_running_loop() is loop:
        return fn()
    box = {}
    done = threading.Event()

    def call():
        try:
            box["value"] = fn()
        except BaseException as exc:  # handed back to the calling thread
            box["error"] = exc
        done.set()

    try:
        loop.call_soon_threadsafe(call)
    except RuntimeError:
        return fn()
    if not done.wait(timeout):
        raise CommandFailure("loop_busy", "the task's loop did not get to the command within 5 s (is it blocked?)")
    if "error" in box:
        raise box["error"]
    return box["value"]


def cancel_as(task, source, reason):
    """task.cancel(reason), recorded as asked by `source` (user, deadline, shutdown)."""
    tracker.pending_source = (source, reason)
    try:
        return task.cancel(reason)
    finally:
        tracker.pending_source = None


def _live(task_id):
    if not isinstance(task_id, int) or isinstance(task_id, bool):
        raise CommandFailure("bad_command", "taskId must be an integer")
    rec, task = tracker.live_record(task_id)
    if rec is None:
        raise CommandFailure("unknown_task", f"this process has no task {task_id}")
    if task is None or rec.ended is not None or task.done():
        raise CommandFailure("already_done", f"task {task_id} has already ended")
    return rec, task


def cancel(task_id, reason):
    rec, task = _live(task_id)
    reason = None if reason is None else clip(reason, MAX_TEXT)
    on_loop(task.get_loop(), lambda: cancel_as(task, "user", reason))
    return tracker.snapshot(rec)


def set_deadline(task_id, in_ms):
    if isinstance(in_ms, bool) or not isinstance(in_ms, (int, float)) or not 0 <= in_ms <= 86_400_000:
        raise CommandFailure("bad_command", "inMs must be 0 … 86400000")
    rec, task = _live(task_id)
    loop = task.get_loop()

    def arm():
        if rec.deadline_handle is not None:
            rec.deadline_handle.cancel()
        when = loop.time() + in_ms / 1000

        def fire():
            rec.deadline_handle = None
            rec.deadline = None
            if not task.done():
                # As TypeScript's setDeadline: the task is cancelled (source `deadline`) and ends
                # cancelled. A task another task awaits (`await task`, wait_for) gets
                # asyncio.timeout's conversion instead: its awaiter sees TimeoutError.
                awaited = internals.is_awaited(task)
                before = task.cancelling()
                reason = f"deadline passed at {rec.info.ms(when) / 1000:.3f}s"
                cancel_as(task, "deadline", reason)
                if awaited:
                    internals.timeout_at_top_frame(task, before, reason)

        rec.deadline_handle = loop.call_at(when, fire)
        rate = rec.info.clock.rate
        rec.deadline = {"at": {"loop": rec.info.ms(when), "wall": wall_ms() + (round(in_ms / rate) if rate else 0)}}
        tracker.dirty.add(rec.id)

    on_loop(loop, arm)
    return tracker.snapshot(rec)


def clear_deadline(task_id):
    rec, task = _live(task_id)

    def clear():
        if rec.deadline_handle is not None:
            rec.deadline_handle.cancel()
        rec.deadline_handle = None
        rec.deadline = None
        tracker.dirty.add(rec.id)

    on_loop(task.get_loop(), clear)
    return tracker.snapshot(rec)


def timing(task_id):
    """task:timing: where the task's real time went (StepTiming), or None before its first step."""
    if not isinstance(task_id, int) or isinstance(task_id, bool):
        raise CommandFailure("bad_command", "taskId must be an integer")
    rec = tracker.records.get(task_id)
    if rec is None:
        raise CommandFailure("unknown_task", f"this process has no task {task_id}")
    return steps.timing(rec)


def cancel_all(loop, source, reason):
    """Cancels every live watched task of `loop`, newest first; returns their records."""
    recs = sorted((r for r in list(tracker.live.values()) if r.info.loop is loop and r.ended is None),
                  key=lambda r: r.id, reverse=True)
    for rec in recs:
        task = rec.ref()
        if task is not None and not task.done():
            cancel_as(task, source, reason)
    return recs


def shutdown(grace_ms, reason="stopped from the app"):
    """Cancels every task (newest first), waits up to the grace (real ms) for them to end, and
    reports which finished, which were still running (forced), and whose cleanup failed."""
    started = time.monotonic()
    targets = []
    for info in list(tracker.loops.values()):
        try:
            targets.extend(on_loop(info.loop, lambda loop=info.loop: cancel_all(loop, "shutdown", reason)))
        except CommandFailure:
            pass
    deadline = started + grace_ms / 1000
    while any(r.ended is None for r in targets) and time.monotonic() < deadline:
        time.sleep(0.005)
    return report(targets, grace_ms, started)


def report(targets, grace_ms, started):
    finished = [r for r in targets if r.ended is not None]
    return {
        "graceMs": grace_ms,
        "elapsedMs": round((time.monotonic() - started) * 1000, 3),
        "finished": [{"id": r.id, "name": r.name, "state": r.state} for r in finished][:MAX_REPORT_ENTRIES],
        "forced": [{"id": r.id, "name": r.name} for r in targets if r.ended is None][:MAX_REPORT_ENTRIES],
        "cleanupErrors": [{"id": r.id, "name": r.name, "message": clip(f"{r.error['name']}: {r.error['message']}", MAX_TEXT)}
                          for r in finished if r.state == "failed" and r.error][:MAX_REPORT_ENTRIES],
    }


def stop_loops(settle_s=0.2):
    """After a shutdown: a loop still running (run_forever, or a task that would not end) is
    stopped; asyncio.run's loop has usually stopped by itself by then."""
    end = time.monotonic() + settle_s
    while time.monotonic() < end and any(i.loop.is_running() for i in list(tracker.loops.values())):
        time.sleep(0.01)
    for info in list(tracker.loops.values()):
        if info.loop.is_running():
            try:
                info.loop.call_soon_threadsafe(info.loop.stop)
            except RuntimeError:
                pass


def handle(msg):
    """One command message → {ok, value} / {ok: False, error}."""
    kind = msg.get("type")
    try:
        if kind == "cancel":
            return {"ok": True, "value": cancel(msg.get("taskId"), msg.get("reason"))}
        if kind == "deadline:set":
            return {"ok": True, "value": set_deadline(msg.get("taskId"), msg.get("inMs"))}
        if kind == "deadline:clear":
            return {"ok": True, "value": clear_deadline(msg.get("taskId"))}
        if kind == "task:timing":
            return {"ok": True, "value": timing(msg.get("taskId"))}
        # loop:control, loop:inspect, resources, and whatever a newer app sends: the protocol's
        # answer for a command an agent does not implement (the window reads it as unsupported).
        raise CommandFailure("unknown_command", f"this agent does not know the command {str(kind)[:50]}")
    except CommandFailure as exc:
        return {"ok": False, "error": {"code": exc.code, "message": clip(str(exc), 300)}}
