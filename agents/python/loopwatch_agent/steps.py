"""Step timing, the twin of the app's src/main/monitor/step-stats.ts (issue 11 §1).

Every step of a watched task is timed on the real monotonic clock (time.perf_counter_ns, whole
nanoseconds): busy (inside its steps), scheduled (woken, waiting in the ready queue), idle (the
rest of its life between its first wake-up and its last step's end), the longest step, and two
log2 histograms in the app's buckets. A step at least the slow-step threshold long is recorded as
a slow step. The per-step work is in internals.make_step_handles (its fast path) and
Tracker.step_begin / step_end; this module holds the buckets and the read-out.
"""
import time

from .limits import SLOW_STEP_DEFAULT_MS

now_ns = time.perf_counter_ns

#: Histogram buckets per histogram (src/shared/snapshots.ts STEP_BUCKETS): bucket 0 counts
#: durations under 1 µs, bucket k (k ≥ 1) those in [2^(k-1), 2^k) µs; the last also counts
#: everything longer (≥ 2^(STEP_BUCKETS-2) µs ≈ 4.2 s).
STEP_BUCKETS = 24
TOP = STEP_BUCKETS - 1
_TOP_US = 1 << (STEP_BUCKETS - 2)


def bucket_ns(ns):
    """step_bucket for a whole number of ns ≥ 0 (what a step measures): no float on the way."""
    b = (ns // 1000).bit_length()
    return b if b < TOP else TOP


def step_bucket(ms):
    """The histogram bucket of a duration in ms, as step-stats.ts's stepBucket(ms) gives it."""
    us = ms * 1000
    if not us >= 1:  # also NaN, as `!(us >= 1)` there
        return 0
    if us >= _TOP_US:
        return TOP
    return int(us).bit_length()  # 32 - Math.clz32(us): the bit length of its whole µs


# The buckets of whole µs below a bound, looked up (one list index) instead of computed on every
# step: the step table stops at the slow-step threshold (a step past it takes Tracker.long_step,
# which checks it), the scheduled one at 16 ms and holds the offset of its half of the list.
TABLE_US = 1 << 14


def _table(n_us, offset=0):
    """[offset + bucket of us µs for us in range(n_us)], built a bucket at a time (start-up is overhead too)."""
    out, k = [offset], 1
    while len(out) < n_us:
        out.extend([offset + min(k, TOP)] * (1 << (k - 1)))  # bucket k: [2^(k-1), 2^k) µs
        k += 1
    return out[:n_us]


SCHED_TABLE = _table(TABLE_US, STEP_BUCKETS)
SCHED_TABLE_NS = TABLE_US * 1000  # waits from here on compute their bucket


def step_table(threshold):
    """The step durations' bucket table for a slow-step threshold in ns."""
    return _table(min(TABLE_US, threshold // 1000))


def new_histograms():
    """A task's two histograms in one list: step durations [0, 24), scheduled delays [24, 48)."""
    return [0] * (2 * STEP_BUCKETS)


def threshold_ns(ms):
    """The slow-step threshold in ns for `--slow-step-ms` (0: no step is slow)."""
    return 1 << 62 if ms == 0 else int(ms * 1_000_000)


DEFAULT_THRESHOLD_NS = threshold_ns(SLOW_STEP_DEFAULT_MS)


def timing(rec):
    """A record's StepTiming (plain JSON, as task:timing answers it), or None before its first step."""
    hist = rec.hist
    if hist is None:
        return None
    steps = sum(hist[:STEP_BUCKETS])
    idle = rec.last_end - rec.q0 - rec.busy - rec.sched if rec.last_end >= 0 else 0
    return {"steps": steps, "busyMs": rec.busy / 1e6, "idleMs": max(0, idle) / 1e6, "scheduledMs": rec.sched / 1e6,
            "maxStepMs": rec.max_ns / 1e6, "stepHist": hist[:STEP_BUCKETS], "scheduledHist": hist[STEP_BUCKETS:]}
