"""Every CPython asyncio internal the agent reads, in one place (tested on 3.11, 3.12 and 3.13).

Public asyncio has no API for "what is this task waiting on" or "which task does this callback
step", so these helpers read private attributes. Each one degrades to None / a generic answer
when an attribute is missing, so a future CPython shows less detail instead of breaking a program.
"""
import asyncio
import os
import sys
import weakref

_ASYNCIO_DIR = os.path.dirname(asyncio.__file__)


def task_of_callback(callback):
    """The Task a loop callback steps or wakes (its `__step` / `__wakeup`), else None.

    On 3.11-3.13 a task schedules `TaskStepMethWrapper` and bound `__wakeup` methods whose
    `__self__` is the task itself.
    """
    owner = getattr(callback, "__self__", None)
    return owner if isinstance(owner, asyncio.Task) else None


def awaited_future(task):
    """The future a parked task waits on (`_fut_waiter`), or None (ready, or a bare yield)."""
    return getattr(task, "_fut_waiter", None)


def innermost_coroutine(task):
    """The innermost coroutine of a task's await chain (follows `cr_await`), or None."""
    coro = task.get_coro()
    seen = 0
    while coro is not None and seen < 200:
        inner = getattr(coro, "cr_await", None)
        if inner is None or not hasattr(inner, "cr_code"):
            return coro
        coro, seen = inner, seen + 1
    return coro


def _asyncio_frame(coro):
    """(module file name, function name, f_locals) of a coroutine's frame inside asyncio, else None."""
    frame = getattr(coro, "cr_frame", None)
    code = getattr(coro, "cr_code", None)
    if frame is None or code is None:
        return None
    where = _asyncio_code.get(code, False)
    if where is False:  # each code object is looked at once (snapshots ask again 10 times a second)
        if len(_asyncio_code) >= 4096:
            _asyncio_code.clear()
        where = _asyncio_code[code] = ((os.path.basename(code.co_filename), code.co_name)
                                       if os.path.dirname(code.co_filename) == _ASYNCIO_DIR else None)
    if where is None:
        return None
    return where[0], where[1], frame.f_locals


_asyncio_code = {}  # code object -> (asyncio module file, function name), or None outside asyncio


# asyncio's own coroutines a task parks in, and what a person calls them.
_PARKED_IN = {
    ("locks.py", "acquire"): "lock",
    ("locks.py", "wait"): "event",
    ("locks.py", "wait_for"): "condition",
    ("queues.py", "get"): "queue get",
    ("queues.py", "put"): "queue put",
    ("queues.py", "join"): "queue join",
    ("tasks.py", "wait_for"): "wait_for",
    ("tasks.py", "_wait"): "wait",
    ("tasks.py", "wait"): "wait",
    ("tasks.py", "_cancel_and_wait"): "wait_for",
    ("timeouts.py", "__aexit__"): "timeout",
}


def sleep_until(task, inner=None):
    """(delay s, due loop time s) if the task is inside asyncio.sleep, else None."""
    inner = inner if inner is not None else innermost_coroutine(task)
    where = _asyncio_frame(inner) if inner is not None else None
    if where is None or where[:2] != ("tasks.py", "sleep"):
        return None
    local = where[2]
    handle = local.get("h")
    due = handle.when() if handle is not None and hasattr(handle, "when") else None
    return local.get("delay", 0), due


def parked_in(task, inner=None):
    """A word for the asyncio primitive a task waits in ('lock', 'queue get', ...), else None."""
    inner = inner if inner is not None else innermost_coroutine(task)
    where = _asyncio_frame(inner) if inner is not None else None
    if where is None:
        return None
    # Class methods share names (Event.wait / Condition.wait): read the receiver's class.
    name = _PARKED_IN.get(where[:2])
    receiver = where[2].get("self")
    if receiver is not None and where[0] == "locks.py":
        return type(receiver).__name__.lower()
    return name


def gathered_count(fut):
    """How many children a gather future waits for, else None."""
    children = getattr(fut, "_children", None)
    return len(children) if isinstance(children, list) else None


def cancel_caller(depth=2):
    """Which asyncio machinery is calling `Task.cancel` right now: 'timeout' (wait_for, timeout()),
    'shutdown' (asyncio.run ending), 'sibling' (a TaskGroup aborting), 'parent' (a gather being
    cancelled), or None (the program's own code). Reads the caller's frame."""
    try:
        frame = sys._getframe(depth)
    except ValueError:
        return None
    hops = 0
    while frame is not None and hops < 3:
        code = frame.f_code
        if os.path.dirname(code.co_filename) == _ASYNCIO_DIR:
            base, fn = os.path.basename(code.co_filename), code.co_name
            if base == "timeouts.py" or fn in ("wait_for", "_cancel_and_wait"):
                return "timeout"
            if base == "runners.py":
                return "shutdown"
            if base == "taskgroups.py":
                return "sibling"
            if base == "tasks.py" and fn in ("cancel", "_done_callback", "_outer_done_callback"):
                return "parent"
            frame, hops = frame.f_back, hops + 1
            continue
        return None
    return None


def mark_step_handle(loop, task, handle_class):
    """Retypes the handle of a new task's first step (queued by Task.__init__, before any factory
    could see the task) so that step is observed like every later one."""
    ready = getattr(loop, "_ready", None)
    if not ready:
        return False
    handle = ready[-1]
    if task_of_callback(getattr(handle, "_callback", None)) is task and type(handle) in (asyncio.Handle, _plain_handle[0]):
        handle.__class__ = handle_class
        return True
    return False


# The timer callback asyncio.sleep resolves its future with (3.11-3.13).
SLEEP_CALLBACK = getattr(asyncio.futures, "_set_result_unless_cancelled", None)
_MAX_SLEEP_NOTES = 4096


def note_sleep(notes, fut, delay):
    """Remembers that `fut` is a sleep of `delay` s (bounded: past the bound the notes start over)."""
    if len(notes) >= _MAX_SLEEP_NOTES:
        notes.clear()
    try:
        notes[id(fut)] = (weakref.ref(fut), delay)
    except TypeError:  # a future that takes no weak reference: no note
        pass


def sleep_of(loop, fut):
    """The delay of the sleep `fut` resolved, if noted (and still that future), else None."""
    notes = getattr(loop, "_lw_sleeps", None)
    entry = notes.pop(id(fut), None) if notes else None
    return entry[1] if entry is not None and entry[0]() is fut else None


def task_exception(task):
    """A failed task's exception without marking it retrieved (`task.exception()` would, and
    CPython would then no longer log "Task exception was never retrieved")."""
    return getattr(task, "_exception", None)


def is_asyncio_own(coro):
    """True for a coroutine of asyncio itself (asyncio.run's shutdown_asyncgens and
    shutdown_default_executor): housekeeping the TypeScript runs do not show as tasks."""
    code = getattr(coro, "cr_code", None)
    return code is not None and os.path.dirname(code.co_filename) == _ASYNCIO_DIR and code.co_name.startswith("shutdown_")


# ---- The event loop's private scheduling hooks (loop.py subclasses SelectorEventLoop) ----
# loop.py's WatchedLoop takes its _call_soon and step handles from here, and its call_at and
# create_task use the helpers below: everything they read or write of CPython's loop is here.

def strip_factory_frame(task):
    """A debug-mode task's creation traceback without the loop's own create_task frame."""
    if task._source_traceback:
        del task._source_traceback[-1]


def check_open(loop):
    loop._check_closed()


def set_clock_resolution(loop, seconds):
    """Virtual time is exact: timers due within this of now count as due."""
    loop._clock_resolution = seconds


class FifoTimer(asyncio.TimerHandle):
    """A timer ordered by (deadline, scheduling order): timers due at the same loop time fire in
    the order they were scheduled (the heap alone orders by deadline only)."""
    __slots__ = ("_seq",)

    def _key(self, other):
        return (self._when, self._seq), (other._when, getattr(other, "_seq", 0))

    def __lt__(self, other):
        a, b = self._key(other)
        return a < b

    def __le__(self, other):
        a, b = self._key(other)
        return a <= b

    def __gt__(self, other):
        a, b = self._key(other)
        return a > b

    def __ge__(self, other):
        a, b = self._key(other)
        return a >= b


def push_timer(loop, timer, callback):
    """What BaseEventLoop.call_at does with a new timer: checks, then onto the timer heap."""
    import heapq
    loop._check_closed()
    if loop._debug:
        loop._check_thread()
        loop._check_callback(callback, "call_at")
    if timer._source_traceback:
        del timer._source_traceback[-1]
    heapq.heappush(loop._scheduled, timer)
    timer._scheduled = True
    return timer


def _callback_failed(handle, exc):
    """What Handle._run does when its callback raises (3.11-3.13)."""
    from asyncio import format_helpers
    cb = format_helpers._format_callback_source(handle._callback, handle._args)
    context = {"message": f"Exception in callback {cb}", "exception": exc, "handle": handle}
    if handle._source_traceback:
        context["source_traceback"] = handle._source_traceback
    handle._loop.call_exception_handler(context)


# What Handle.__init__ sets (3.11-3.13); make_call_soon sets them itself for a step handle.
_HANDLE_SLOTS = {"_callback", "_args", "_cancelled", "_loop", "_source_traceback", "_repr", "_context"}
_INLINE_INIT = _HANDLE_SLOTS <= set(asyncio.Handle.__slots__) and set(asyncio.Handle.__slots__) - _HANDLE_SLOTS <= {"__weakref__"}


_plain_handle = [asyncio.Handle]  # make_step_handles's PlainHandle, once made


def make_step_handles(live, dirty_add, tracker, timed):
    """The Handle subclasses for a watched task's steps and wake-ups, and for every other
    callback queued with call_soon: (FirstStepHandle, StepHandle, PlainHandle). Their `_run`
    tells the tracker how a step ended and, when `timed` (--step-timing), how long it took.
    FirstStepHandle has Handle's layout, so a task's first step, queued before the factory sees
    the task, can be retyped to it; StepHandle carries the task's record (and, timed, when its
    wake-up was queued: `_lw_q`, perf_counter_ns), so a step finds it without a lookup. This is
    the agent's cost per task switch: the common case (a started task, no cancellation, no
    --json events) is written out, Handle._run's body (and, timed, Tracker.step_end's timing)
    included, and only marks the task for the next delta. Untimed, no clock is read and other
    callbacks keep asyncio's own Handle: the classes are chosen once, at start.

    Timed, one clock read per step, kept in loop._lw_t: during a step its start (a wake-up queued then
    is stamped with it), after it its end. A step that follows another of the same loop's steps
    with nothing between starts when that one ended. Anything else that runs resets it to 0 — a
    call_soon callback (PlainHandle), a new loop iteration (WatchedLoop._run_once: select, then
    the I/O callbacks and due timers, which run at the end of the iteration's batch, after every
    step queued before them) — so the next step, and a wake-up queued meanwhile, read the clock.
    (A wake-up queued by a timer or I/O callback right after a batch's steps is stamped with the
    last step's end: its wait is over-counted by the callbacks run between, usually microseconds.)"""
    handle_run = asyncio.Handle._run

    if timed:
        def observed(handle, rec, task, queued):
            loop = handle._loop
            t0 = tracker.step_begin(rec, task, loop)
            try:
                handle_run(handle)
            finally:
                tracker.step_end(rec, task, loop, t0, queued, handle)
    else:
        def observed(handle, rec, task, queued):
            tracker.step_started(rec, task)
            try:
                handle_run(handle)
            finally:
                tracker.step_state(rec, task)

    class FirstStepHandle(asyncio.Handle):
        __slots__ = ()

        def _run(self):
            task = self._callback.__self__
            rec = live.get(id(task))
            if rec is None:
                return handle_run(self)
            observed(self, rec, task, rec.q0)

    if not timed:
        class StepHandle(asyncio.Handle):
            __slots__ = ("_lw_rec",)

            def _run(self):
                rec = self._lw_rec
                if not rec.fast:
                    observed(self, rec, self._callback.__self__, None)
                    return
                # A flush runs between callbacks on this thread, so `running` is never seen: only the
                # state after the step matters.
                try:
                    self._context.run(self._callback, *self._args)
                except (SystemExit, KeyboardInterrupt):
                    raise
                except BaseException as exc:
                    _callback_failed(self, exc)
                task = self._callback.__self__
                if task.done():
                    tracker.finished(rec, task)
                else:
                    rec.state = "waiting"
                    dirty_add(rec.id)
        return FirstStepHandle, StepHandle, asyncio.Handle

    from .steps import SCHED_TABLE, SCHED_TABLE_NS, STEP_BUCKETS, bucket_ns, now_ns

    class PlainHandle(asyncio.Handle):
        __slots__ = ()

        def _run(self):
            self._loop._lw_t = 0
            handle_run(self)
    _plain_handle[0] = PlainHandle

    class StepHandle(asyncio.Handle):
        __slots__ = ("_lw_rec", "_lw_q")

        def _run(self):
            rec = self._lw_rec
            if not rec.fast:
                observed(self, rec, self._callback.__self__, self._lw_q)
                return
            # A flush runs between callbacks on this thread, so `running` is never seen: only the
            # state after the step matters.
            loop = self._loop
            t0 = loop._lw_t  # the last step's end, when nothing ran since (see above)
            if not t0:
                loop._lw_t = t0 = now_ns()
            try:
                self._context.run(self._callback, *self._args)
            except (SystemExit, KeyboardInterrupt):
                raise
            except BaseException as exc:
                _callback_failed(self, exc)
            loop._lw_t = t1 = now_ns()
            # Tracker.step_end's timing, written out (whole ns; the buckets looked up: steps.py).
            d = t1 - t0
            rec.busy += d
            if d > rec.max_ns:
                rec.max_ns = d
            hist = rec.hist
            q = self._lw_q
            last = rec.last_end
            w = t0 - (q if q > last else last)  # ≥ 0: queued before it started (monotonic clock)
            rec.sched += w
            rec.last_end = t1
            task = self._callback.__self__
            try:
                hist[tracker.step_table[d // 1000]] += 1
            except IndexError:  # a step too long for the table: maybe slow
                tracker.long_step(rec, task, d, self)
                loop._lw_t = 0  # its bookkeeping ran since: the next step reads the clock
            if w < SCHED_TABLE_NS:
                hist[SCHED_TABLE[w // 1000]] += 1
            else:  # a long wait (a busy or loaded loop): no exception on a common path
                hist[STEP_BUCKETS + bucket_ns(w)] += 1
            if task.done():
                loop._lw_t = 0
                tracker.finished(rec, task)
            else:
                rec.state = "waiting"
                dirty_add(rec.id)

    return FirstStepHandle, StepHandle, PlainHandle


def make_call_soon(live, step_handle, handle_class, timed):
    """BaseEventLoop._call_soon, choosing the handle's class: a watched task's step or wake-up
    (a bound method of the task, see task_of_callback) gets `step_handle`, with the task's record
    (and, `timed`, when it was queued). Outside debug mode its fields are set here, as
    Handle.__init__ would set them, one call less."""
    from .steps import now_ns
    new = object.__new__

    def _call_soon(self, callback, args, context):
        rec = live.get(id(getattr(callback, "__self__", None)))
        if rec is not None:
            # When the wake-up was queued: inside a step (a future resolved, a queue put) that
            # step's start, one clock read fewer (over-counting the wait by at most the part of
            # the waker's step before it); else the clock now (see make_step_handles).
            if _INLINE_INIT and context is not None and not self._debug:
                handle = new(step_handle)
                handle._context = context
                handle._loop = self
                handle._callback = callback
                handle._args = args
                handle._cancelled = False
                handle._repr = None
                handle._source_traceback = None
                handle._lw_rec = rec
                if timed:
                    handle._lw_q = self._lw_t or now_ns()
                self._ready.append(handle)
                return handle
            handle = step_handle(callback, args, self, context)
            handle._lw_rec = rec
            if timed:
                handle._lw_q = getattr(self, "_lw_t", 0) or now_ns()
        else:
            handle = handle_class(callback, args, self, context)
        if handle._source_traceback:
            del handle._source_traceback[-1]
        self._ready.append(handle)
        return handle

    return _call_soon


# ---- A deadline's TimeoutError at a task's top frame (asyncio.timeout's conversion) ----
# asyncio.timeout turns the CancelledError its own cancel caused into TimeoutError where it leaves
# the `async with`. A deadline from the window wraps no code, so the same conversion happens where
# the CancelledError leaves the task's coroutine: its top frame. Public asyncio has no hook there,
# so on 3.12+ a sys.monitoring PY_UNWIND callback (only while a deadline is converting), and on
# 3.11 a trace function on that one frame (sys.settrace answering None for every other frame).

def is_awaited(task):
    """True when another task awaits `task` itself (`await task`, 3.12's wait_for) or 3.11's
    wait_for waits for it (its `_release_waiter` callback); gather, wait and plain done
    callbacks do not count."""
    import functools
    for entry in getattr(task, "_callbacks", None) or ():
        cb = entry[0] if isinstance(entry, tuple) else entry
        owner = task_of_callback(cb)
        if owner is not None and owner is not task:
            return True
        if isinstance(cb, functools.partial) and getattr(cb.func, "__name__", "") == "_release_waiter" \
                and getattr(cb.func, "__module__", "") == "asyncio.tasks":
            return True
    return False


# 3.11 runs the loop's thread traced while a conversion waits, which slows its Python code down
# several times: a task that swallows the deadline's cancellation and runs on would stay traced,
# so after this many more steps the conversion is given up (the task ends as TypeScript's would).
TRACED_STEPS = 1_000


class _Converting:
    __slots__ = ("task", "cancelling_before", "message", "frame", "last", "steps_left")

    def __init__(self, task, cancelling_before, message, frame):
        self.task, self.cancelling_before, self.message, self.frame = task, cancelling_before, message, frame
        self.last = None  # 3.11: the last exception seen entering the frame
        self.steps_left = TRACED_STEPS


_converting = {}  # id(top frame) -> _Converting
_MONITORING = getattr(sys, "monitoring", None)
_tool = None


def _timeout_from(entry, exc):
    """The TimeoutError to raise instead of `exc` leaving the top frame, else None (another
    error, or a cancellation that is not (only) the deadline's)."""
    task = entry.task
    if not isinstance(exc, asyncio.CancelledError) or task.cancelling() != entry.cancelling_before + 1:
        return None
    task.uncancel()
    err = TimeoutError(entry.message)
    err.__cause__ = exc
    return err


def _on_unwind(code, offset, exc):  # 3.12+: a frame is left by an exception
    entry = _converting.get(id(sys._getframe(1)))
    if entry is None or entry.frame is not sys._getframe(1):
        return
    forget_timeout(entry.task)
    err = _timeout_from(entry, exc)
    if err is not None:
        raise err


def _ignore_frame(frame, event, arg):  # 3.11: the global trace function traces nothing new
    return None


if _MONITORING is None:
    import dis
    _EXIT_NORMALLY = {dis.opmap[n] for n in ("RETURN_VALUE", "RETURN_CONST") if n in dis.opmap}
    _YIELD = dis.opmap["YIELD_VALUE"]


def _top_frame_trace(frame, event, arg):  # 3.11: the trace function of a converting top frame
    entry = _converting.get(id(frame))
    if entry is None or entry.frame is not frame:
        return None
    if event == "exception":
        if not isinstance(arg[1], StopIteration):  # 3.11 reports every finished await as one
            entry.last = arg[1]
    elif event == "return":
        op = frame.f_code.co_code[frame.f_lasti]
        if op == _YIELD:
            return _top_frame_trace  # suspended at an await: it comes back
        forget_timeout(entry.task)
        if op not in _EXIT_NORMALLY:  # left by an exception: the last one that came in
            err = _timeout_from(entry, entry.last)
            if err is not None:
                raise err
        return None
    return _top_frame_trace


def timeout_at_top_frame(task, cancelling_before, message):
    """After a deadline's `task.cancel()`: if the CancelledError leaves the task's coroutine and
    the task has no other cancellation pending (`cancelling()` is `cancelling_before + 1`), it
    leaves as `TimeoutError(message)` raised from it. False when that cannot be watched here
    (not a coroutine, another tool traces the thread, no sys.monitoring tool id free)."""
    global _tool
    frame = getattr(task.get_coro(), "cr_frame", None)
    if frame is None:
        return False
    if _MONITORING is not None:
        if _tool is None:
            for tid in (4, 3):
                if _MONITORING.get_tool(tid) is None:
                    _MONITORING.use_tool_id(tid, "loopwatch agent")
                    _MONITORING.register_callback(tid, _MONITORING.events.PY_UNWIND, _on_unwind)
                    _tool = tid
                    break
            else:
                return False
        _MONITORING.set_events(_tool, _MONITORING.events.PY_UNWIND)
    else:
        if sys.gettrace() not in (None, _ignore_frame):
            return False  # a debugger or coverage traces this thread: leave it alone
        frame.f_trace_lines = False
        frame.f_trace = _top_frame_trace
        sys.settrace(_ignore_frame)
    _converting[id(frame)] = _Converting(task, cancelling_before, message, frame)
    return True


def timeout_step(task):
    """A step of `task` ended: on 3.11 a conversion has a bounded number of steps (TRACED_STEPS)."""
    if not _converting or _MONITORING is not None:
        return
    for entry in list(_converting.values()):
        if entry.task is task:
            entry.steps_left -= 1
            if entry.steps_left <= 0:
                forget_timeout(task)


def forget_timeout(task):
    """No conversion for `task` any more (it ended, or its top frame was left)."""
    if not _converting:
        return
    for key, entry in list(_converting.items()):
        if entry.task is task:
            del _converting[key]
            if _MONITORING is None and entry.frame is not None:
                entry.frame.f_trace = None
    if _MONITORING is not None:
        if not _converting and _tool is not None:
            _MONITORING.set_events(_tool, 0)
    elif not _converting:
        if sys.gettrace() is _ignore_frame:
            sys.settrace(None)
    elif sys.gettrace() is None:
        sys.settrace(_ignore_frame)  # a conversion's raise switched tracing off; others still wait
