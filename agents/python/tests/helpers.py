"""Shared test helpers: a fresh tracker and asyncio.run on a watched loop."""
import asyncio

from loopwatch_agent.clocks import make_clock
from loopwatch_agent.loop import WatchedPolicy
from loopwatch_agent.tracker import tracker


def fresh_tracker():
    tracker.__init__()
    return tracker


def run_watched(coro_fn, clock="virtual", timed=False):
    """asyncio.run(coro_fn()) with every loop watched on `clock` (its steps timed if `timed`, as
    --step-timing does); returns (result, tracker)."""
    fresh_tracker()
    old = asyncio.get_event_loop_policy()
    asyncio.set_event_loop_policy(WatchedPolicy(lambda: make_clock(clock), timed=timed))
    try:
        return asyncio.run(coro_fn()), tracker
    finally:
        asyncio.set_event_loop_policy(old)


def by_name(t, name):
    found = [r for r in t.records.values() if r.name == name]
    assert len(found) == 1, f"{len(found)} tasks named {name}: {[r.name for r in t.records.values()]}"
    return found[0]
