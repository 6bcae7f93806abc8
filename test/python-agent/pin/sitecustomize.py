# Test fixture: pins the course's random delays. With LOOPWATCH_PIN_RANDINT='[4, 1, 2]' in the
# environment, random.randint returns those values in turn (the course's random.randint(1, 5)
# becomes the oracle's default delays). Loaded through PYTHONPATH by test/python-agent/*.
import json
import os
import random

_pins = json.loads(os.environ.get("LOOPWATCH_PIN_RANDINT", "null"))
if _pins is not None:
    _next = iter(_pins).__next__
    random.randint = lambda a, b: _next()
