"""The virtual clock: starts at 0, jumps to the next timer, fires equal deadlines FIFO."""
import asyncio
import unittest

from tests.helpers import run_watched


class VirtualClock(unittest.TestCase):
    def test_starts_at_zero_and_jumps_over_sleeps(self):
        async def main():
            loop = asyncio.get_running_loop()
            t0 = loop.time()
            await asyncio.sleep(3600)
            return t0, loop.time()

        (t0, t1), _ = run_watched(main)
        self.assertEqual(t0, 0)
        self.assertEqual(t1, 3600)

    def test_equal_deadlines_fire_in_scheduling_order(self):
        async def main():
            loop = asyncio.get_running_loop()
            order = []
            # 50 timers all due at t=5, scheduled in a shuffled-looking order of their labels
            labels = [(i * 37) % 50 for i in range(50)]
            for label in labels:
                loop.call_at(5.0, order.append, label)
            await asyncio.sleep(6)
            return labels, order

        (labels, order), _ = run_watched(main)
        self.assertEqual(order, labels)

    def test_a_timer_scheduled_later_for_the_same_time_wakes_its_task_later(self):
        # graceful-cancel's tie: main's sleep(5) (scheduled at 0) before the task's 5th 1 s round
        async def ticker(out):
            for _ in range(10):
                await asyncio.sleep(1)
                out.append(("tick", asyncio.get_running_loop().time()))

        async def main():
            out = []
            t = asyncio.create_task(ticker(out))
            await asyncio.sleep(5)
            out.append(("main", asyncio.get_running_loop().time()))
            t.cancel()
            return out

        out, _ = run_watched(main)
        self.assertEqual(out[-2:], [("tick", 4.0), ("main", 5.0)])

    def test_ready_callbacks_run_before_time_moves(self):
        async def main():
            loop = asyncio.get_running_loop()
            seen = []
            loop.call_later(1, lambda: seen.append(("timer", loop.time())))
            loop.call_soon(lambda: seen.append(("soon", loop.time())))
            await asyncio.sleep(2)
            return seen

        seen, _ = run_watched(main)
        self.assertEqual(seen, [("soon", 0), ("timer", 1)])


class ScaledClock(unittest.TestCase):
    def test_waits_are_divided_by_the_rate(self):
        from loopwatch_agent.clocks import ScaledClock as Clock

        class Fake:
            def __init__(self):
                self.asked = []

            def select(self, timeout=None):
                self.asked.append(timeout)
                return []
        fake = Fake()
        sel = Clock(60).wrap(fake)
        sel.select(60.0)
        sel.select(None)
        self.assertEqual(fake.asked, [1.0, None])
        self.assertEqual(Clock(60).describe(), {"kind": "scaled", "rate": 60.0})


if __name__ == "__main__":
    unittest.main()
