"""The app's commands, carried out on the task's loop: cancel, deadlines, graceful shutdown."""
import asyncio
import threading
import unittest

from loopwatch_agent import commands
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
