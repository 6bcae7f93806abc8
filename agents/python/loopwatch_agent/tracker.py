"""What the agent knows about each task, and the protocol messages built from it.

The loop (loop.py) tells the tracker when a task is created, when each of its steps begins and
ends, and when something asks to cancel it; the output wrappers tell it about printed lines. The
tracker keeps one Record per task and, at most DELTAS_PER_SECOND times a second, turns the records
that changed into one `tasks:delta` in the in-process monitor's TaskSnapshot shape.

Everything here runs on the thread of the loop it concerns, except `flush` when no loop runs.
"""
import asyncio
import itertools
import threading
import time
import traceback
import weakref

from . import internals, steps
from .limits import (DELTA_BYTES, MAX_ERROR_MESSAGE, MAX_LABEL, MAX_LOG_LINE, MAX_LOGS_PER_DELTA, MAX_NAME,
                     MAX_PENDING_LOGS, MAX_SLOW_STEPS_PER_DELTA, MAX_STACK, MAX_TASKS_KEPT, MAX_TASKS_PER_LIST,
                     MAX_TEXT, clip)

FINAL_STATES = ("done", "failed", "cancelled")
_real_time_ns = time.time_ns  # the virtual clock may replace time.time; wall stamps stay real


def wall_ms():
    return _real_time_ns() // 1_000_000


class LoopInfo:
    """A watched loop: its label (`loop-1`), clock, and loop time at creation (t = 0)."""
    __slots__ = ("loop", "label", "clock", "t0", "closed")

    def __init__(self, loop, label, clock):
        self.loop, self.label, self.clock = loop, label, clock
        self.t0 = loop.time()
        self.closed = False

    def ms(self, when=None):
        """Loop ms since the loop was made (for `when`, a loop time in s; default now)."""
        ms = round(((self.loop.time() if when is None else when) - self.t0) * 1000, 3)
        return int(ms) if ms == int(ms) else ms

    def stamp(self):
        return {"loop": self.ms(), "wall": wall_ms()}


def _coro_name(task):
    """The name of the function the task's coroutine came from ('' when it has none)."""
    name = getattr(task.get_coro(), "__name__", "")
    return clip(name, MAX_NAME) if isinstance(name, str) else ""


class Record:
    __slots__ = ("id", "ref", "info", "auto_name", "name", "parent_id", "state", "created", "started", "ended",
                 "cancel", "deadline", "deadline_handle", "error", "log_count", "sent", "last", "fast", "raw_name",
                 "coro", "busy", "sched", "max_ns", "last_end", "hist", "q0", "aw_at", "aw_text")

    def __init__(self, rid, task, info, parent_id):
        self.id = rid
        self.ref = weakref.ref(task)
        self.info = info
        self.auto_name = task.get_name()
        self.name = _task_name(task, self.auto_name)
        self.parent_id = parent_id
        self.state = "pending"
        self.created = info.stamp()
        self.started = None
        self.ended = None
        self.cancel = None
        self.deadline = None
        self.deadline_handle = None
        self.error = None
        self.log_count = 0
        self.sent = False
        self.last = None  # the snapshot last sent: an unchanged task is not sent again
        self.raw_name = None  # task.get_name() when `name` was last worked out from it
        self.fast = False  # its steps need only be marked (started, no cancellation, no --json events)
        # The coroutine's function, as the TypeScript runtime's fn.name: the window groups tasks by it.
        self.coro = _coro_name(task)
        # Step timing (steps.py), in perf_counter_ns: ns inside steps, ns woken but waiting to run,
        # the longest step, when the last step ended (-1: none yet), both histograms (made at its
        # first step), and when its first step was queued.
        self.busy = self.sched = self.max_ns = 0
        self.last_end = -1
        self.hist = None
        self.q0 = 0
        # What it awaited when `aw_text` was read, and after how many steps (a slow step's resumedFrom).
        self.aw_at = -1
        self.aw_text = None


def _task_name(task, auto_name):
    """The task's name; for one asyncio named itself (`Task-3`), its coroutine's name (`worker`)."""
    name = task.get_name()
    if name == auto_name and name.startswith("Task-"):
        code = getattr(task.get_coro(), "__qualname__", None)
        if code:
            name = code.rpartition("<locals>.")[2]  # main, not test.<locals>.main; Crowd.__anext__ stays
    return clip(name, MAX_NAME)


def error_snapshot(exc):
    stack = "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))
    return {"name": clip(type(exc).__name__, MAX_NAME), "message": clip(str(exc), MAX_ERROR_MESSAGE),
            "stack": clip(stack, MAX_STACK)}


class Tracker:
    def __init__(self):
        self.records = {}      # id -> Record, oldest first (bounded by MAX_TASKS_KEPT)
        # loop.py binds these two at import for its per-step fast path: reset them in place
        if hasattr(self, "live"):
            self.live.clear()
            self.dirty.clear()
        else:
            self.live = {}     # id(task) -> Record, for tasks not yet ended
            self.dirty = set()
        self.loops = {}        # loop -> LoopInfo, live loops
        self._ids = itertools.count(1)
        self._loop_ids = itertools.count(1)
        self.logs = []
        self._log_seq = 0
        self._seq = 0
        self.dropped = 0
        self.pending_loop_messages = []
        self.pending_source = None  # (source, reason) while the agent itself cancels a task
        self.on_state = None        # callback(record, state): the --json task events
        self.last_t = 0           # the last loop's clock when it closed (for lines after it)
        self.slow = []            # slow steps for the next delta (the newest MAX_SLOW_STEPS_PER_DELTA)
        self._slow_seq = 0
        self.slow_dropped = 0     # slow steps past that bound, left out (the newest are what matter)
        if not hasattr(self, "slow_ns"):
            self.set_threshold_ms(steps.SLOW_STEP_DEFAULT_MS)  # --slow-step-ms (kept across a test's fresh tracker)
        self.lock = threading.RLock()

    # ---- loops ----
    def loop_added(self, loop, clock):
        info = LoopInfo(loop, clip(f"loop-{next(self._loop_ids)}", MAX_LABEL), clock)
        with self.lock:
            self.loops[loop] = info
            self.pending_loop_messages.append({"type": "loop:added", "loop": info.label, "clock": clock.describe()})
        return info

    def loop_closed(self, loop):
        with self.lock:
            info = self.loops.pop(loop, None)
            if info is None:
                return
            self.last_t = info.ms()
            info.closed = True
            self.pending_loop_messages.append(("after-delta", {"type": "loop:removed", "loop": info.label}))

    def now_t(self):
        """The trace's t now: the running loop's clock, else the newest live loop's, else the
        clock the last loop had when it closed."""
        info = self.running_info()
        if info is None and self.loops:
            info = list(self.loops.values())[-1]
        return info.ms() if info is not None else self.last_t

    def running_info(self):
        loop = asyncio._get_running_loop()
        return self.loops.get(loop) if loop is not None else None

    # ---- tasks ----
    def task_created(self, task, loop):
        info = self.loops.get(loop)
        if info is None:
            return None
        parent = asyncio.current_task(loop) if loop.is_running() else None
        prec = self.live.get(id(parent)) if parent is not None else None
        rec = Record(next(self._ids), task, info, prec.id if prec is not None else None)
        key = id(task)
        rec.ref = weakref.ref(task, lambda _r, rid=rec.id, k=key: self._collected(rid, k))
        # Its first step was queued just now (Task.__init__), inside a step or outside one.
        if getattr(loop, "_lw_timed", False):  # --step-timing (loop.TimedLoop)
            rec.q0 = loop._lw_t or steps.now_ns()
        with self.lock:
            self.records[rec.id] = rec
            self.live[key] = rec
            self.dirty.add(rec.id)
            if len(self.records) > MAX_TASKS_KEPT:
                self._forget_oldest_ended()
        if self.on_state is not None:
            self.on_state(rec, "pending")
        return rec

    def _forget_oldest_ended(self):
        excess = len(self.records) - MAX_TASKS_KEPT
        for rid in [rid for rid, r in self.records.items() if r.ended is not None][:excess]:
            del self.records[rid]
            self.dirty.discard(rid)

    def _collected(self, rid, key):
        # A pending task nothing referenced was freed by the garbage collector (CPython says
        # "Task was destroyed but it is pending!"): it ends here.
        rec = self.records.get(rid)
        if self.live.get(key) is rec:
            del self.live[key]
        if rec is not None and rec.ended is None:
            rec.state = "failed"
            rec.ended = rec.info.stamp() if not rec.info.closed else {"loop": rec.info.ms(), "wall": wall_ms()}
            rec.error = {"name": "RuntimeError", "message": "Task was destroyed but it is pending!", "stack": None}
            self.dirty.add(rid)

    def _set_state(self, rec, state, task=None):
        if task is not None:
            rec.name = _task_name(task, rec.auto_name)  # create_task(name=...) names it after the factory
        rec.state = state
        self.dirty.add(rec.id)
        if self.on_state is not None:
            self.on_state(rec, state)

    def step_started(self, rec, task):
        """A step of `rec`'s task begins (its state; no clock read: untimed steps stop here)."""
        first = rec.started is None
        if first:
            rec.started = rec.info.stamp()
        state = "cancelling" if rec.cancel is not None and task.cancelling() else "running"
        if state != rec.state:
            self._set_state(rec, state, task if first else None)

    def step_begin(self, rec, task, loop):
        """A timed step of `rec`'s task begins; returns its start (perf_counter_ns), read last."""
        if rec.hist is None:
            rec.hist = steps.new_histograms()
        self.step_started(rec, task)
        # Wake-ups queued during the step are stamped with its start (loop._call_soon reads it).
        loop._lw_t = t0 = steps.now_ns()
        return t0

    def step_end(self, rec, task, loop, t0, queued, handle):
        """The step that began at `t0` (its wake-up queued at `queued`) ended: its time, then its state.
        The handles' fast path (internals.make_step_handles) does the same timing written out."""
        t1 = steps.now_ns()
        d = t1 - t0
        rec.busy += d
        if d > rec.max_ns:
            rec.max_ns = d
        hist = rec.hist
        last = rec.last_end
        if queued < last:
            queued = last  # queued by its own step (a bare yield): it waited from that step's end
        w = t0 - queued if t0 > queued else 0
        rec.sched += w
        hist[steps.STEP_BUCKETS + steps.bucket_ns(w)] += 1
        rec.last_end = t1
        self.long_step(rec, task, d, handle)
        self.step_state(rec, task)
        loop._lw_t = 0  # this bookkeeping ran after its end: the next step reads the clock

    def set_threshold_ms(self, ms):
        """Steps at least `ms` real ms long are slow steps (0: none is)."""
        self.slow_ns = steps.threshold_ns(ms)
        self.step_table = steps.step_table(self.slow_ns)

    def long_step(self, rec, task, ns, handle):
        """A step past the handles' bucket table: counted, and recorded if it is slow."""
        rec.hist[steps.bucket_ns(ns)] += 1
        if ns >= self.slow_ns:
            self.slow_step(rec, task, ns, handle)

    def slow_step(self, rec, task, ns, handle):
        """Records a step of `ns` that held its loop past the threshold, with the awaits around it
        (what it resumed from; what it parked on, read now), for the next delta."""
        n = sum(rec.hist[:steps.STEP_BUCKETS])
        resumed = rec.aw_text if rec.aw_at == n - 1 else _resumed_from(self, handle, n)
        parked = None if task.done() else self.describe_wait(rec, task)
        rec.aw_at, rec.aw_text = n, parked
        parked_text = None if parked is None else parked["text"]
        info = rec.info
        with self.lock:
            self._slow_seq += 1
            self.slow.append({"seq": self._slow_seq, "loop": info.label, "runId": None, "taskId": rec.id,
                              "taskName": rec.name, "durationMs": ns / 1e6,
                              "at": {"loop": info.ms(), "wall": wall_ms()},
                              "resumedFrom": None if resumed is None else resumed["text"], "parkedOn": parked_text})
            self.dirty.add(rec.id)  # a delta carries it, with its task
            if len(self.slow) > MAX_SLOW_STEPS_PER_DELTA:
                cut = len(self.slow) - MAX_SLOW_STEPS_PER_DELTA
                del self.slow[:cut]
                self.slow_dropped += cut

    def timing_of(self, rid):
        """task:timing: the record's StepTiming (None before its first step); KeyError if unknown."""
        return steps.timing(self.records[rid])

    def step_state(self, rec, task):
        if task.done():
            self.finished(rec, task)
            return
        if rec.cancel is not None:
            internals.timeout_step(task)
        state = "cancelling" if rec.cancel is not None and task.cancelling() else "waiting"
        if state != rec.state:
            self._set_state(rec, state)
        else:
            self.dirty.add(rec.id)  # what it awaits may have changed
        rec.fast = rec.cancel is None and self.on_state is None

    def finished(self, rec, task):
        if rec.ended is not None:
            return
        if task.cancelled():
            state = "cancelled"
        else:
            exc = internals.task_exception(task)
            state = "failed" if exc is not None else "done"
            if exc is not None:
                rec.error = error_snapshot(exc)
        rec.ended = rec.info.stamp()
        rec.name = _task_name(task, rec.auto_name)
        if rec.deadline_handle is not None:
            rec.deadline_handle.cancel()
            rec.deadline_handle = None
        internals.forget_timeout(task)
        self.live.pop(id(task), None)
        self._set_state(rec, state)

    def cancel_requested(self, task, msg):
        """Task.cancel was called: who asked (the agent's own command, asyncio machinery, a task)."""
        rec = self.live.get(id(task))
        if rec is None or task.done():
            return
        if self.pending_source is not None:
            source, by = self.pending_source[0], None
        else:
            source = internals.cancel_caller(3)
            by = None
            if source is None:
                loop = asyncio._get_running_loop()
                current = asyncio.current_task(loop) if loop is not None else None
                crec = self.live.get(id(current)) if current is not None else None
                if crec is not None and current is not task:
                    source, by = "program", {"id": crec.id, "name": crec.name}
                elif current is task:
                    source = "program"
                    by = {"id": rec.id, "name": rec.name}
                else:
                    source = "user"
        rec.fast = False
        if rec.cancel is None or rec.cancel.get("spent"):
            rec.cancel = {"source": source, "reason": None if msg is None else clip(msg, MAX_TEXT), "at": rec.info.stamp()}
            if by is not None:
                rec.cancel["by"] = by
        self.dirty.add(rec.id)
        if rec.state in ("waiting", "pending"):
            self._set_state(rec, "cancelling")

    # ---- printed lines ----
    def log(self, stream, line, task):
        """A printed line; `task` is the asyncio task that printed it (or None)."""
        info = self.running_info()
        rec = self.live.get(id(task)) if task is not None else None
        line = clip(line, MAX_LOG_LINE)
        with self.lock:
            if rec is not None:
                rec.log_count += 1
                self.dirty.add(rec.id)
            if info is None:
                self.logs.append(("log", {"type": "log", "stream": stream, "line": line, "wall": wall_ms(), "taskId": None}))
            else:
                self._log_seq += 1
                self.logs.append(("delta", {"seq": self._log_seq, "loop": info.label, "runId": None,
                                            "taskId": rec.id if rec else None, "taskName": rec.name if rec else None,
                                            "t": info.ms(), "wall": wall_ms(), "stream": stream, "line": line}))
            if len(self.logs) > MAX_PENDING_LOGS:
                cut = len(self.logs) - MAX_PENDING_LOGS
                del self.logs[:cut]
                self.dropped += cut

    # ---- snapshots ----
    def snapshot(self, rec):
        task = rec.ref()
        if task is not None and rec.ended is None:
            raw = task.get_name()
            if raw != rec.raw_name:  # only set_name changes it
                rec.raw_name = raw
                rec.name = _task_name(task, rec.auto_name)
        return {"id": rec.id, "loop": rec.info.label, "runId": None, "name": rec.name, "parentId": rec.parent_id,
                "state": rec.state, "createdAt": rec.created, "startedAt": rec.started, "endedAt": rec.ended,
                "awaiting": self.awaiting(rec, task, True), "cancel": _public_cancel(rec.cancel),
                "deadline": rec.deadline, "error": rec.error, "logCount": rec.log_count,
                **({"coro": rec.coro} if rec.coro else {})}

    def awaiting(self, rec, task, note=False):
        """What the task waits on ({kind, text, taskId}), or None. `note`: kept as what its next
        step resumes from (a slow step's resumedFrom), valid while it takes no step."""
        if task is None or rec.ended is not None or rec.state not in ("waiting", "cancelling"):
            return None
        aw = self.describe_wait(rec, task)
        if note and rec.hist is not None:
            rec.aw_at, rec.aw_text = sum(rec.hist[:steps.STEP_BUCKETS]), aw
        return aw

    def describe_wait(self, rec, task):
        """What a parked task waits on, whatever its recorded state."""
        fut = internals.awaited_future(task)
        if isinstance(fut, asyncio.Task):
            other = self.live.get(id(fut))
            if other is not None:
                other.name = _task_name(fut, other.auto_name)
                return {"kind": "task", "text": clip(f"task #{other.id} {other.name}", MAX_TEXT), "taskId": other.id}
            return {"kind": "task", "text": clip(f"task {fut.get_name()}", MAX_TEXT), "taskId": None}
        inner = internals.innermost_coroutine(task)
        slept = internals.sleep_until(task, inner)
        if slept is not None:
            delay, due = slept
            text = f"sleep {float(delay)} s"
            if due is not None:
                text += f" until {rec.info.ms(due) / 1000:.3f} s"
            return {"kind": "sleep", "text": text, "taskId": None}
        if fut is None:
            return None
        count = internals.gathered_count(fut)
        if count is not None:
            return {"kind": "future", "text": f"gather ({count})", "taskId": None}
        where = internals.parked_in(task, inner)
        return {"kind": "future", "text": clip(where or "future", MAX_TEXT), "taskId": None}

    def live_record(self, rid):
        rec = self.records.get(rid)
        if rec is None:
            return None, None
        task = rec.ref() if rec.ended is None else None
        return rec, task

    # ---- deltas ----
    def flush(self):
        """The messages for everything new since the last flush (loop:added first, then deltas and
        standalone log lines in the order they happened, then loop:removed)."""
        with self.lock:
            out = []
            after = []
            for m in self.pending_loop_messages:
                if isinstance(m, tuple):
                    after.append(m[1])
                else:
                    out.append(m)
            self.pending_loop_messages = []
            if self.dropped:
                out.append({"type": "dropped", "count": self.dropped})
                self.dropped = 0
            created, changed, ended = [], [], []
            # Taken out before the snapshots are built: a step on another thread may mark a task
            # again meanwhile, and that mark must survive until the next flush.
            ids = sorted(self.dirty)
            self.dirty.difference_update(ids)
            for rid in ids:
                rec = self.records.get(rid)
                if rec is None:
                    continue
                snap = self.snapshot(rec)
                if snap == rec.last:
                    continue
                rec.last = snap
                if not rec.sent:
                    rec.sent = True
                    created.append(snap)
                elif rec.ended is not None:
                    ended.append(snap)
                else:
                    changed.append(snap)
            logs = self.logs
            self.logs = []
            delta_logs = []
            first = True
            for kind, item in logs:
                if kind == "delta":
                    delta_logs.append(item)
                    continue
                # A line printed outside any loop: the tasks and lines before it go out first.
                out.extend(self._deltas(created, changed, ended, delta_logs) if first else self._deltas([], [], [], delta_logs))
                first = False
                delta_logs = []
                out.append(item)
            slow, self.slow = self.slow, []
            if first:
                out.extend(self._deltas(created, changed, ended, delta_logs, slow))
            else:
                out.extend(self._deltas([], [], [], delta_logs, slow))
            out.extend(after)
            return out

    def _clocks(self):
        out = []
        for info in self.loops.values():
            rate = info.clock.rate
            out.append({"loop": info.label, "now": info.ms(), "wall": wall_ms(), "rate": rate})
        return out

    def _deltas(self, created, changed, ended, logs, slow=()):
        """Deltas of at most DELTA_BYTES (roughly) and the protocol's per-list bounds; slow steps
        go in the last one, after the tasks they name."""
        if not (created or changed or ended or logs or slow):
            return []
        out, cur, size = [], None, 0

        def fresh():
            self._seq += 1
            return {"seq": self._seq, "created": [], "changed": [], "ended": [], "removed": [], "logs": [], "clocks": []}

        cur = fresh()
        cur["clocks"] = self._clocks()
        for key, items, bound in (("created", created, MAX_TASKS_PER_LIST), ("changed", changed, MAX_TASKS_PER_LIST),
                                  ("ended", ended, MAX_TASKS_PER_LIST), ("logs", logs, MAX_LOGS_PER_DELTA)):
            for item in items:
                n = _size_bound(item)
                if size + n > DELTA_BYTES or len(cur[key]) >= bound:
                    out.append({"type": "tasks:delta", "delta": cur})
                    cur, size = fresh(), 0
                cur[key].append(item)
                size += n
        if slow:
            cur["slowSteps"] = list(slow)
        out.append({"type": "tasks:delta", "delta": cur})
        return out

    def resync(self):
        """The whole state again, for a hub that knows nothing (after a reconnect)."""
        with self.lock:
            self.pending_loop_messages = []
            out = [{"type": "loop:added", "loop": i.label, "clock": i.clock.describe()} for i in self.loops.values()]
            live_labels = {i.label for i in self.loops.values()}
            recs = [r for r in self.records.values() if r.info.label in live_labels]
            recs.sort(key=lambda r: r.ended is not None)
            kept = {r.id for r in recs}
            for r in self.records.values():
                r.sent = r.id in kept
            snaps = [self.snapshot(r) for r in recs]
            for r, snap in zip(recs, snaps):
                r.last = snap
            self.dirty.clear()
            out.extend(self._deltas(snaps, [], [], []))
            return out


def _resumed_from(tracker, handle, n):
    """What a step resumed from when no snapshot noted it: the future its wake-up carries (a
    task, a gather) or a bare yield; None for a task's first step."""
    if n <= 1:
        return None
    args = getattr(handle, "_args", None) or ()
    fut = args[0] if args else None
    if fut is None:
        return {"text": "yield (sleep 0)"}
    if isinstance(fut, asyncio.Task):
        other = tracker.live.get(id(fut))
        return {"text": clip(f"task #{other.id} {other.name}" if other is not None else f"task {fut.get_name()}", MAX_TEXT)}
    count = internals.gathered_count(fut)
    if count is not None:
        return {"text": f"gather ({count})"}
    delay = internals.sleep_of(handle._loop, fut)
    return {"text": f"sleep {float(delay)} s" if delay is not None else "future"}


def _size_bound(item):
    """An upper bound of an item's JSON size in bytes, without encoding it (a character is at
    most 3 UTF-8 bytes here, or 6 as an escape; the fixed fields of a snapshot take < 1 KiB)."""
    if "line" in item:
        return 300 + 6 * len(item["line"]) + 6 * len(item["taskName"] or "")
    n = 1024 + 6 * len(item["name"])
    err = item["error"]
    if err is not None:
        n += 6 * (len(err["name"]) + len(err["message"]) + len(err["stack"] or ""))
    if item["awaiting"] is not None:
        n += 6 * len(item["awaiting"]["text"])
    if item["cancel"] is not None:
        n += 6 * (len(item["cancel"]["reason"] or "") + len(item["cancel"].get("by", {}).get("name", "")))
    return n


def _public_cancel(cancel):
    if cancel is None:
        return None
    return {k: v for k, v in cancel.items() if k != "spent"}


tracker = Tracker()
