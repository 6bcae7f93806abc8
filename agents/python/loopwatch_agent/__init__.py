"""Loopwatch's Python agent: runs an unmodified asyncio program and shows its tasks in Loopwatch.

    python3 -m loopwatch_agent [--virtual | --speed N] [--json] [--app URL | --no-app] program.py [args]

Standard library only, CPython >= 3.11. It speaks the agent protocol of docs/agent-protocol.md.
CPython internals it relies on live in one module, internals.py.
"""

PROTOCOL = 1
