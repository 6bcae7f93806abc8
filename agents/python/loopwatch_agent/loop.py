"""The watched event loop, its task factory, and the policy that makes `asyncio.run` use them.

Each task's steps are observed through the loop's ready queue: a task schedules every step and
wake-up with `loop.call_soon(<bound method of the task>)`, so the loop gives those handles a
class whose `_run` tells the tracker when the step begins and ends. The program's own code, its
callbacks and timers are untouched.
"""
import asyncio
import itertools

from . import internals
from .tracker import tracker


class Task(asyncio.Task):
    """asyncio.Task that tells the tracker who asked to cancel it (repr and behaviour unchanged)."""

    def cancel(self, msg=None):
        tracker.cancel_requested(self, msg)
        return super().cancel(msg)


Task.__module__ = asyncio.Task.__module__


def _task_factory(loop, coro, **kwargs):
    task = Task(coro, loop=loop, **kwargs)
    _watch_new_task(loop, task)
    return task


def _watch_new_task(loop, task):
    if internals.is_asyncio_own(task.get_coro()):
        return task
    rec = tracker.task_created(task, loop)
    if rec is not None:
        internals.mark_step_handle(loop, task, loop._lw_first_step)
    return task


class WatchedLoop(asyncio.SelectorEventLoop):
    """The platform's selector loop on the agent's clock, with every task watched (its steps
    untimed: no clock read per step; TimedLoop times them)."""

    _lw_timed = False
    _lw_first_step, _lw_step, _lw_plain = internals.make_step_handles(tracker.live, tracker.dirty.add, tracker, False)
    _call_soon = internals.make_call_soon(tracker.live, _lw_step, _lw_plain, False)

    def __init__(self, clock, on_created=None):
        import selectors
        self._lw_clock = clock
        self._lw_fifo = clock.kind == "virtual"
        self._lw_seq = itertools.count()
        self._lw_user_factory = None
        super().__init__(selector=clock.wrap(selectors.DefaultSelector()))
        if clock.kind == "virtual":
            internals.set_clock_resolution(self, 1e-9)
        super().set_task_factory(self._lw_factory)
        self._lw_info = tracker.loop_added(self, clock)
        if on_created is not None:
            on_created(self)

    def time(self):
        return self._lw_clock.now()

    def _lw_factory(self, loop, coro, **kwargs):
        if self._lw_user_factory is not None:
            task = self._lw_user_factory(loop, coro, **kwargs)
            return _watch_new_task(loop, task) if isinstance(task, asyncio.Task) else task
        return _task_factory(loop, coro, **kwargs)

    def create_task(self, coro, *, name=None, context=None):
        # As BaseEventLoop.create_task does (3.11), calling the factory itself: 3.13.0's version
        # renames a factory-made task to str(name), i.e. 'None', when no name is given.
        internals.check_open(self)
        if self._lw_user_factory is None:
            task = Task(coro, loop=self, name=name, context=context)
            internals.strip_factory_frame(task)
            return _watch_new_task(self, task)
        task = self._lw_user_factory(self, coro) if context is None else self._lw_user_factory(self, coro, context=context)
        if name is not None:
            task.set_name(name)
        return _watch_new_task(self, task) if isinstance(task, asyncio.Task) else task

    # The program may set its own factory: it still makes the tasks, the agent still sees them.
    def set_task_factory(self, factory):
        if factory is not None and not callable(factory):
            raise TypeError("task factory must be a callable or None")
        self._lw_user_factory = factory

    def get_task_factory(self):
        return self._lw_user_factory

    def call_at(self, when, callback, *args, context=None):
        if not self._lw_fifo:
            return super().call_at(when, callback, *args, context=context)
        timer = internals.FifoTimer(when, callback, args, self, context)
        timer._seq = next(self._lw_seq)
        return internals.push_timer(self, timer, callback)

    def close(self):
        if not self.is_closed() and not self.is_running():
            tracker.loop_closed(self)
        super().close()


class TimedLoop(WatchedLoop):
    """WatchedLoop with every task step timed (--step-timing): StepTiming per task, slow steps."""

    _lw_timed = True
    _lw_first_step, _lw_step, _lw_plain = internals.make_step_handles(tracker.live, tracker.dirty.add, tracker, True)
    _call_soon = internals.make_call_soon(tracker.live, _lw_step, _lw_plain, True)

    def __init__(self, clock, on_created=None):
        self._lw_sleeps = {}  # id(future) -> (weakref, delay s) of the sleeps under way (see call_later)
        self._lw_t = 0  # a step's start while it runs, its end after, 0 once anything else ran (make_step_handles)
        super().__init__(clock, on_created)

    def _run_once(self):
        self._lw_t = 0  # select, I/O and timers run before the next step: it reads the clock
        super()._run_once()

    def call_later(self, delay, callback, *args, context=None):
        # asyncio.sleep(delay) resolves its future from this timer: noted, so a slow step that
        # resumed from it can say "sleep 0.05 s" (its future alone cannot tell).
        if callback is internals.SLEEP_CALLBACK and args:
            internals.note_sleep(self._lw_sleeps, args[0], delay)
        return super().call_later(delay, callback, *args, context=context)


class WatchedPolicy(asyncio.DefaultEventLoopPolicy):
    """Makes every new loop a WatchedLoop (a TimedLoop when `timed`) on `clock_factory()`'s clock
    (asyncio.run, new_event_loop, get_event_loop all come through here)."""

    def __init__(self, clock_factory, on_created=None, timed=False):
        super().__init__()
        self._clock_factory = clock_factory
        self._on_created = on_created
        self._loop_class = TimedLoop if timed else WatchedLoop

    def new_event_loop(self):
        return self._loop_class(self._clock_factory(), self._on_created)
