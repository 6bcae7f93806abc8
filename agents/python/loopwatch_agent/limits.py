"""The protocol's bounds (src/shared/agent-protocol/), as the agent applies them before sending."""
MAX_NAME = 200
MAX_TEXT = 500
MAX_ERROR_MESSAGE = 4_000
MAX_STACK = 16_000
MAX_LOG_LINE = 10_000
MAX_LABEL = 100
MAX_TASKS_KEPT = 20_000
MAX_TASKS_PER_LIST = 2_000
MAX_LOGS_PER_DELTA = 5_000
MAX_REPORT_ENTRIES = 10_000
# A delta line is kept well under the hub's 4 MiB line bound; bigger batches are split.
DELTA_BYTES = 1 << 20
# Printed lines waiting for the next delta; past this the oldest are dropped and counted.
MAX_PENDING_LOGS = 20_000
DELTAS_PER_SECOND = 10


def clip(text, limit):
    """`text` cut to `limit` characters, the cut marked with an ellipsis."""
    text = str(text)
    return text if len(text) <= limit else text[: limit - 1] + "\u2026"
# Slow steps (src/shared/snapshots.ts): the default threshold, the bounds --slow-step-ms takes
# (0 turns them off), and how many wait for the next delta (the newest; one delta carries them all).
SLOW_STEP_DEFAULT_MS = 20
SLOW_STEP_MIN_MS = 1
SLOW_STEP_MAX_MS = 60_000
MAX_SLOW_STEPS_PER_DELTA = 500
