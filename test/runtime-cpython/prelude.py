"""Prelude of every CPython program these tests run (python3 with the oracle directory, cpython.ts's oracleDir, on sys.path).

The machines run CPython 3.11; the contract follows 3.12. Where asyncio differs between the two in a
way the tests touch, this module carries 3.12's code (timeouts.Timeout, tasks.wait_for), so the
reference is 3.12's behaviour:
- 3.12's Timeout records task.cancelling() on entry and converts only if uncancel() gets back to it
  (3.11 compares with 0);
- 3.12's wait_for is `async with timeout(t): return await fut` — a coroutine runs in the caller's
  task, no inner task (3.11 wraps it in a task and races it with a timer);
- 3.12's Semaphore.acquire wakes as many waiters as free units allow and gives a woken-then-cancelled
  waiter's unit back without waking at once (3.11.7 predates that rewrite).

Trace helpers: log(...) prints "<loop ms> <parts>"; err(e) names an error the way the TS side does.
"""
import asyncio
import collections
import enum
import json
import sys
from asyncio import events, exceptions, tasks

from vtloop import VirtualTimeLoop


def _ms(loop):
    t = round(loop.time() * 1000, 3)
    return str(int(t)) if t == int(t) else str(t)


def ms(seconds):
    """A loop time or deadline in seconds, printed as the TS side prints ms (None as 'null')."""
    if seconds is None:
        return "null"
    t = round(seconds * 1000, 3)
    return int(t) if t == int(t) else t


def log(*parts):
    loop = asyncio.get_running_loop()
    print(_ms(loop), *[str(p) for p in parts], flush=True)


def logt(loop, *parts):
    """log() for code outside a running loop: the time comes from `loop`."""
    print(_ms(loop), *[str(p) for p in parts], flush=True)


class OtherError(Exception):
    pass


_GROUPS = (BaseExceptionGroup,)


def err(e):
    """ValueError(boom), OtherError(x), TaskGroupError[ValueError(a),...], or just the class name."""
    if isinstance(e, _GROUPS):
        return "TaskGroupError[" + ",".join(err(x) for x in e.exceptions) + "]"
    name = type(e).__name__
    if isinstance(e, (ValueError, OtherError)):
        return f"{name}({e})"
    return name


def fmt(v):
    def default(o):
        if isinstance(o, BaseException):
            return err(o)
        if isinstance(o, (set, frozenset)):
            return sorted(o)
        raise TypeError(repr(o))

    return json.dumps(v, default=default, separators=(",", ":"))


# ---- CPython 3.12 timeouts.py (the parts 3.11 lacks) -------------------------------------------

class _State(enum.Enum):
    CREATED = "created"
    ENTERED = "active"
    EXPIRING = "expiring"
    EXPIRED = "expired"
    EXITED = "finished"


class Timeout:
    def __init__(self, when):
        self._state = _State.CREATED
        self._timeout_handler = None
        self._task = None
        self._when = when

    def when(self):
        return self._when

    def reschedule(self, when):
        if self._state is not _State.ENTERED:
            if self._state is _State.CREATED:
                raise RuntimeError("Timeout has not been entered")
            raise RuntimeError(f"Cannot change state of {self._state.value} Timeout")
        self._when = when
        if self._timeout_handler is not None:
            self._timeout_handler.cancel()
        if when is None:
            self._timeout_handler = None
        else:
            loop = events.get_running_loop()
            if when <= loop.time():
                self._timeout_handler = loop.call_soon(self._on_timeout)
            else:
                self._timeout_handler = loop.call_at(when, self._on_timeout)

    def expired(self):
        return self._state in (_State.EXPIRING, _State.EXPIRED)

    async def __aenter__(self):
        if self._state is not _State.CREATED:
            raise RuntimeError("Timeout has already been entered")
        task = tasks.current_task()
        if task is None:
            raise RuntimeError("Timeout should be used inside a task")
        self._state = _State.ENTERED
        self._task = task
        self._cancelling = self._task.cancelling()
        self.reschedule(self._when)
        return self

    async def __aexit__(self, exc_type, exc_val, exc_tb):
        assert self._state in (_State.ENTERED, _State.EXPIRING)
        if self._timeout_handler is not None:
            self._timeout_handler.cancel()
            self._timeout_handler = None
        if self._state is _State.EXPIRING:
            self._state = _State.EXPIRED
            if self._task.uncancel() <= self._cancelling and exc_type is exceptions.CancelledError:
                raise TimeoutError from exc_val
        elif self._state is _State.ENTERED:
            self._state = _State.EXITED
        return None

    def _on_timeout(self):
        assert self._state is _State.ENTERED
        self._task.cancel()
        self._state = _State.EXPIRING
        self._timeout_handler = None


def timeout(delay):
    loop = events.get_running_loop()
    return Timeout(loop.time() + delay if delay is not None else None)


def timeout_at(when):
    return Timeout(when)


# ---- CPython 3.12 tasks.wait_for ----------------------------------------------------------------

async def _cancel_and_wait(fut):
    loop = events.get_running_loop()
    waiter = loop.create_future()

    def release(_):
        if not waiter.done():
            waiter.set_result(None)

    fut.add_done_callback(release)
    try:
        fut.cancel()
        await waiter
    finally:
        fut.remove_done_callback(release)


async def wait_for(fut, timeout_s):
    if timeout_s is not None and timeout_s <= 0:
        fut = asyncio.ensure_future(fut)
        if fut.done():
            return fut.result()
        await _cancel_and_wait(fut)
        try:
            return fut.result()
        except exceptions.CancelledError as exc:
            raise TimeoutError from exc
    async with timeout(timeout_s):
        return await fut


# ---- CPython 3.12 locks.Semaphore (acquire/release/_wake_up_next/locked) -----------------------

def _sem_locked(self):
    return self._value == 0 or (any(not w.cancelled() for w in (self._waiters or ())))


async def _sem_acquire(self):
    if not self.locked():
        self._value -= 1
        return True
    if self._waiters is None:
        self._waiters = collections.deque()
    fut = self._get_loop().create_future()
    self._waiters.append(fut)
    try:
        try:
            await fut
        finally:
            self._waiters.remove(fut)
    except exceptions.CancelledError:
        if fut.done() and not fut.cancelled():
            self._value += 1
        raise
    finally:
        while self._value > 0:
            if not self._wake_up_next():
                break
    return True


def _sem_release(self):
    self._value += 1
    self._wake_up_next()


def _sem_wake_up_next(self):
    if not self._waiters:
        return False
    for fut in self._waiters:
        if not fut.done():
            self._value -= 1
            fut.set_result(True)
            return True
    return False


asyncio.Semaphore.locked = _sem_locked
asyncio.Semaphore.acquire = _sem_acquire
asyncio.Semaphore.release = _sem_release
asyncio.Semaphore._wake_up_next = _sem_wake_up_next

asyncio.timeout = timeout
asyncio.timeout_at = timeout_at
asyncio.wait_for = wait_for


def main_run(main):
    """asyncio.run on virtual time; prints the outcome as '<ms> end <result>' or '<ms> end raised <err>'."""
    with asyncio.Runner(loop_factory=VirtualTimeLoop) as runner:
        loop = runner.get_loop()
        try:
            r = runner.run(main())
            outcome = "end " + fmt(r)
        except BaseException as e:  # noqa: BLE001 - the outcome is the trace
            outcome = "end raised " + err(e)
    print(_ms(loop), outcome, flush=True)
