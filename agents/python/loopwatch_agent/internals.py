"""Every CPython asyncio internal the agent reads, in one place (tested on 3.11, 3.12 and 3.13).

Public asyncio has no API for "what is this task waiting on" or "which task does this callback
step", so these helpers read private attributes. Each one degrades to None / a generic answer
when an attribute is missing, so a future CPython shows less detail instead of breaking a program.
"""
import asyncio
import os
import sys

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
    if os.path.dirname(code.co_filename) != _ASYNCIO_DIR:
        return None
    return os.path.basename(code.co_filename), code.co_name, frame.f_locals


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
    if task_of_callback(getattr(handle, "_callback", None)) is task and type(handle) is asyncio.Handle:
        handle.__class__ = handle_class
        return True
    return False


def task_exception(task):
    """A failed task's exception without marking it retrieved (`task.exception()` would, and
    CPython would then no longer log "Task exception was never retrieved")."""
    return getattr(task, "_exception", None)


def is_asyncio_own(coro):
    """True for a coroutine of asyncio itself (asyncio.run's shutdown_asyncgens and
    shutdown_default_executor): housekeeping the TypeScript runs do not show as tasks."""
    code = getattr(coro, "cr_code", None)
    return code is not None and os.path.dirname(code.co_filename) == _ASYNCIO_DIR and code.co_name.startswith("shutdown_")
