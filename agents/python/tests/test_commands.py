"""The app's commands, carried out on the task's loop: cancel, deadlines, graceful shutdown."""
import asyncio
import sys
import threading
import unittest

from loopwatch_agent import commands, internals
from loopwatch_agent.tracker import tracker
from tests.helpers import by_name, run_watched


def rid(name):
    return next(r.id for r in tracker.records.values() if r.name == name)


class Commands(unittest.TestCase):
    def test_cancel_delivers_the_reason_and_records_the_user(self):
        got = {}

        async def victim():
            try:
                await asyncio.sleep(100)
            except asyncio.CancelledError as exc:
                got["message"] = exc.args[0] if exc.args else None
                raise

        async def main():
            t = asyncio.create_task(victim(), name="victim")
            await asyncio.sleep(1)
            snap = commands.cancel(rid("victim"), "from the window")
            await asyncio.gather(t, return_exceptions=True)
            return snap

        snap, t = run_watched(main)
        self.assertEqual(got["message"], "from the window")
        self.assertEqual(snap["state"], "cancelling")
        self.assertEqual(snap["cancel"]["source"], "user")
        self.assertEqual(snap["cancel"]["reason"], "from the window")
        self.assertEqual(snap["cancel"]["at"]["loop"], 1000)
        self.assertEqual(by_name(t, "victim").state, "cancelled")

    def test_unknown_and_ended_tasks_are_typed_refusals(self):
        async def main():
            await asyncio.create_task(asyncio.sleep(0), name="quick")
            return (commands.handle({"type": "cancel", "taskId": rid("quick"), "reason": None}),
                    commands.handle({"type": "cancel", "taskId": 999, "reason": None}),
                    commands.handle({"type": "reboot"}))

        (ended, unknown, bad), _ = run_watched(main)
        self.assertEqual(ended["error"]["code"], "already_done")
        self.assertEqual(unknown["error"]["code"], "unknown_task")
        self.assertEqual(bad["error"]["code"], "unknown_command")

    def test_deadline_fires_on_the_loop_clock_and_clearing_disarms_it(self):
        async def main():
            a = asyncio.create_task(asyncio.sleep(100), name="a")
            b = asyncio.create_task(asyncio.sleep(5), name="b")
            await asyncio.sleep(0)
            snap = commands.set_deadline(rid("a"), 2500)
            commands.set_deadline(rid("b"), 1000)
            commands.clear_deadline(rid("b"))
            await asyncio.gather(a, b, return_exceptions=True)
            return snap

        snap, t = run_watched(main)
        self.assertEqual(snap["deadline"]["at"]["loop"], 2500)
        a = by_name(t, "a")
        self.assertEqual(a.state, "cancelled")
        self.assertEqual(a.ended["loop"], 2500)
        self.assertEqual((a.cancel["source"], a.cancel["reason"]), ("deadline", "deadline passed at 2.500s"))
        self.assertEqual((by_name(t, "b").state, by_name(t, "b").ended["loop"]), ("done", 5000))

    def test_a_deadline_on_a_task_wait_for_awaits_ends_it_with_timeouterror(self):
        # The course's traffic-jam request: main waits for it with wait_for (a long timeout);
        # the deadline from the window fires first, and main's `except TimeoutError` sees it.
        seen = []

        async def request():
            try:
                await asyncio.sleep(10)
            except asyncio.CancelledError:
                seen.append("cleanup")
                await asyncio.sleep(0.5)  # the cleanup runs to its end before the conversion
                seen.append("cleanup done")
                raise

        async def main():
            asyncio.get_running_loop().call_later(0.1, lambda: commands.set_deadline(rid("request"), 1400))
            try:
                await asyncio.wait_for(asyncio.ensure_future(request()), timeout=60)
            except TimeoutError as exc:
                seen.append(f"main: {type(exc).__name__}: {exc}")

        _, t = run_watched(main)
        req = by_name(t, "request")
        self.assertEqual(seen, ["cleanup", "cleanup done", "main: TimeoutError: deadline passed at 1.500s"])
        self.assertEqual((req.state, req.ended["loop"]), ("failed", 2000))
        self.assertEqual((req.cancel["source"], req.cancel["reason"]), ("deadline", "deadline passed at 1.500s"))
        self.assertEqual(req.error["name"], "TimeoutError")
        self.assertEqual(req.error["message"], "deadline passed at 1.500s")
        stack = req.error["stack"]
        self.assertIn("asyncio.exceptions.CancelledError: deadline passed at 1.500s", stack)
        self.assertIn("The above exception was the direct cause of the following exception", stack)
        self.assertTrue(stack.rstrip().endswith("TimeoutError: deadline passed at 1.500s"), stack)
        self.assertIn("in request", stack)
        self.assertEqual(by_name(t, "main").state, "done")
        self.assertIsNone(sys.gettrace())  # nothing left tracing the thread
        if hasattr(sys, "monitoring") and internals._tool is not None:
            self.assertEqual(sys.monitoring.get_events(internals._tool), 0)

    def test_a_deadline_on_an_awaited_task_raises_timeouterror_in_the_awaiter(self):
        async def main():
            t = asyncio.create_task(asyncio.sleep(10), name="slow")
            u = asyncio.create_task(asyncio.sleep(10), name="other")  # nobody awaits it
            await asyncio.sleep(0)
            commands.set_deadline(rid("slow"), 1000)
            commands.set_deadline(rid("other"), 1000)
            try:
                await t
            except TimeoutError as exc:
                got = f"{type(exc).__name__}: {exc} (from {type(exc.__cause__).__name__})"
            await asyncio.gather(u, return_exceptions=True)
            return got, t.cancelled(), u.cancelled()

        (got, t_cancelled, u_cancelled), t = run_watched(main)
        self.assertEqual(got, "TimeoutError: deadline passed at 1.000s (from CancelledError)")
        self.assertEqual((t_cancelled, by_name(t, "slow").state), (False, "failed"))
        # as in the TypeScript runtime, a deadline on a task nobody awaits ends it cancelled
        self.assertEqual((u_cancelled, by_name(t, "other").state), (True, "cancelled"))
        self.assertEqual(by_name(t, "other").cancel["source"], "deadline")

    def test_a_deadline_swallowed_or_joined_by_another_cancel_is_not_converted(self):
        async def swallow():
            try:
                await asyncio.sleep(10)
            except asyncio.CancelledError:
                pass
            return "kept going"

        async def also_cancelled():
            try:
                await asyncio.sleep(10)
            except asyncio.CancelledError:
                asyncio.current_task().cancel("and the user")  # a second request: not the deadline's alone
                await asyncio.sleep(1)

        async def main():
            a = asyncio.create_task(swallow(), name="swallow")
            b = asyncio.create_task(also_cancelled(), name="twice")
            await asyncio.sleep(0)
            commands.set_deadline(rid("swallow"), 1000)
            commands.set_deadline(rid("twice"), 1000)
            got = [await a]
            try:
                await b
            except BaseException as exc:
                got.append(type(exc).__name__)
            return got

        got, t = run_watched(main)
        self.assertEqual(got, ["kept going", "CancelledError"])
        self.assertEqual((by_name(t, "swallow").state, by_name(t, "twice").state), ("done", "cancelled"))
        self.assertIsNone(sys.gettrace())

    @unittest.skipIf(hasattr(sys, "monitoring"), "3.11 traces the thread while a conversion waits; 3.12+ does not")
    def test_a_swallowed_deadline_is_traced_for_a_bounded_number_of_steps(self):
        async def swallow():
            try:
                await asyncio.sleep(10)
            except asyncio.CancelledError:
                pass  # and runs on
            traced = []
            for _ in range(10):
                traced.append(sys.gettrace() is not None)
                await asyncio.sleep(0)
            return traced

        async def main():
            t = asyncio.create_task(swallow(), name="swallow")
            await asyncio.sleep(0)
            commands.set_deadline(rid("swallow"), 1000)
            return await t

        bound, internals.TRACED_STEPS = internals.TRACED_STEPS, 4
        try:
            traced, t = run_watched(main)
        finally:
            internals.TRACED_STEPS = bound
        self.assertEqual(traced, [True] * 4 + [False] * 6)
        self.assertEqual(by_name(t, "swallow").state, "done")
        self.assertIsNone(sys.gettrace())

    def test_shutdown_cancels_newest_first_and_reports(self):
        order = []
        box = {}

        async def polite(n):
            try:
                await asyncio.sleep(100)
            except asyncio.CancelledError:
                order.append(n)
                raise

        async def stubborn():
            while not box.get("released"):
                try:
                    await box["event"].wait()
                except asyncio.CancelledError:
                    order.append("stubborn")  # swallows it, and waits on

        async def messy():
            try:
                await asyncio.sleep(100)
            except asyncio.CancelledError:
                order.append("messy")
                raise ValueError("cleanup broke")

        def stop_from_outside(loop):
            box["report"] = commands.shutdown(300, "test stop")

            def release():
                box["released"] = True
                box["event"].set()
            loop.call_soon_threadsafe(release)

        async def main():
            box["event"] = asyncio.Event()
            tasks = [asyncio.create_task(polite(1), name="p1"), asyncio.create_task(stubborn(), name="stubborn"),
                     asyncio.create_task(messy(), name="messy"), asyncio.create_task(polite(2), name="p2")]
            await asyncio.sleep(0)
            threading.Thread(target=stop_from_outside, args=(asyncio.get_running_loop(),)).start()
            await asyncio.gather(*tasks, return_exceptions=True)

        with self.assertRaises(asyncio.CancelledError):
            run_watched(main)
        report = box["report"]
        self.assertEqual(order, [2, "messy", "stubborn", 1])  # newest first (main, the oldest, last)
        self.assertEqual([f["name"] for f in report["finished"]], ["p2", "messy", "p1"])
        # main waits in gather for the stubborn task, so both outlive the grace
        self.assertEqual(report["forced"], [{"id": rid("stubborn"), "name": "stubborn"}, {"id": rid("main"), "name": "main"}])
        self.assertEqual(report["cleanupErrors"], [{"id": rid("messy"), "name": "messy", "message": "ValueError: cleanup broke"}])
        self.assertEqual(by_name(tracker, "p2").cancel, {"source": "shutdown", "reason": "test stop", "at": by_name(tracker, "p2").cancel["at"]})
        self.assertEqual(report["graceMs"], 300)

    def test_a_swallowed_cancellation_shows_as_done_with_its_request(self):
        async def swallow():
            try:
                await asyncio.sleep(10)
            except asyncio.CancelledError:
                return "kept going"

        async def main():
            t = asyncio.create_task(swallow(), name="swallow")
            await asyncio.sleep(1)
            t.cancel("please")
            return await t

        result, t = run_watched(main)
        rec = by_name(t, "swallow")
        self.assertEqual((result, rec.state), ("kept going", "done"))
        self.assertEqual(rec.cancel["reason"], "please")
        self.assertEqual(rec.cancel["source"], "program")


if __name__ == "__main__":
    unittest.main()
