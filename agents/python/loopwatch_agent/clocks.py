"""The three clocks a watched loop can run on: real, scaled (`--speed N`) and virtual.

Both non-real clocks work through the loop's selector: asyncio asks it to wait `timeout` seconds
for I/O; the scaled one waits `timeout / rate` real seconds, the virtual one waits not at all and
moves its time forward by `timeout` (so the next timer is due at once). Real I/O still works: the
virtual selector first polls the real one, and blocks on it when no timer is left (a program
waiting for a socket, a signal or a command from the app).
"""
import selectors
import time


class RealClock:
    kind = "real"
    rate = 1.0

    def now(self):
        return time.monotonic()

    def wrap(self, selector):
        return selector

    def describe(self):
        return {"kind": "real"}


class ScaledClock:
    """Loop time runs `rate` times faster than real time, from the moment the loop is made."""
    kind = "scaled"

    def __init__(self, rate):
        self.rate = float(rate)
        self._real0 = time.monotonic()

    def now(self):
        return (time.monotonic() - self._real0) * self.rate

    def wrap(self, selector):
        return _ScaledSelector(selector, self.rate)

    def describe(self):
        return {"kind": "scaled", "rate": self.rate}


class VirtualClock:
    """Starts at 0 and jumps to the next timer whenever nothing is ready."""
    kind = "virtual"
    rate = None

    def __init__(self):
        self.t = 0.0

    def now(self):
        return self.t

    def wrap(self, selector):
        return _VirtualSelector(selector, self)

    def describe(self):
        return {"kind": "virtual"}


class _WrappedSelector(selectors.BaseSelector):
    def __init__(self, real):
        self._real = real

    def register(self, fileobj, events, data=None):
        return self._real.register(fileobj, events, data)

    def unregister(self, fileobj):
        return self._real.unregister(fileobj)

    def modify(self, fileobj, events, data=None):
        return self._real.modify(fileobj, events, data)

    def get_map(self):
        return self._real.get_map()

    def close(self):
        self._real.close()


class _ScaledSelector(_WrappedSelector):
    def __init__(self, real, rate):
        super().__init__(real)
        self._rate = rate

    def select(self, timeout=None):
        return self._real.select(None if timeout is None else timeout / self._rate)


class _VirtualSelector(_WrappedSelector):
    def __init__(self, real, clock):
        super().__init__(real)
        self._clock = clock

    def select(self, timeout=None):
        events = self._real.select(0)
        if events or timeout == 0:
            return events
        if timeout is None:
            # No timer left: only I/O, a signal or another thread can wake the loop (as in CPython).
            return self._real.select(None)
        self._clock.t += max(0.0, timeout)
        return []


def make_clock(spec):
    """spec: 'real', 'virtual' or ('scaled', rate)."""
    if spec == "virtual":
        return VirtualClock()
    if isinstance(spec, tuple) and spec[0] == "scaled":
        return ScaledClock(spec[1])
    return RealClock()
