"""The task factory and the tracker: every task seen with name, state, parent, awaits, errors."""
import asyncio
import io
import sys
import unittest
from contextlib import redirect_stderr

from tests.helpers import by_name, run_watched


async def worker(n):
    await asyncio.sleep(n)
    return n


class Factory(unittest.TestCase):
    def test_steps_are_seen_alike_in_debug_mode_and_out_of_it(self):
        # Out of debug mode the loop fills a step handle's fields itself; in debug mode through
        # Handle.__init__, which records where the step was scheduled. Both see the same steps.
        from loopwatch_agent.clocks import make_clock
        from loopwatch_agent.loop import WatchedPolicy
        from tests.helpers import fresh_tracker
        seen = {}

        async def spin(n):
            for _ in range(n):
                await asyncio.sleep(0)
            return n

        async def main():
            tasks = [asyncio.create_task(spin(n), name=f"spin-{n}") for n in (1, 3)]
            await asyncio.sleep(0)
            handles = [h for h in asyncio.get_running_loop()._ready if isinstance(h, asyncio.get_running_loop()._lw_step)]
            seen["handles"] = [(h._lw_rec.name, h._source_traceback is not None) for h in handles]
            return await asyncio.gather(*tasks)

        for debug in (False, True):
            with self.subTest(debug=debug):
                t = fresh_tracker()
                old = asyncio.get_event_loop_policy()
                asyncio.set_event_loop_policy(WatchedPolicy(lambda: make_clock("virtual")))
                try:
                    self.assertEqual(asyncio.run(main(), debug=debug), [1, 3])
                finally:
                    asyncio.set_event_loop_policy(old)
                self.assertEqual(seen["handles"], [("spin-1", debug), ("spin-3", debug)])
                self.assertEqual([(by_name(t, n).state, by_name(t, n).ended["loop"]) for n in ("spin-1", "spin-3", "main")],
                                 [("done", 0)] * 3)

    def test_tasks_names_parents_and_final_states(self):
        async def main():
            a = asyncio.create_task(worker(1))
            b = asyncio.create_task(worker(2), name="second")

            async def boom():
                await asyncio.sleep(0.5)
                raise ValueError("bad value")
            c = asyncio.create_task(boom())
            d = asyncio.create_task(asyncio.sleep(10))
            await asyncio.sleep(0)
            d.cancel()
            return await asyncio.gather(a, b, c, d, return_exceptions=True)

        results, t = run_watched(main)
        self.assertEqual(results[:2], [1, 2])
        main_rec = by_name(t, "main")
        self.assertEqual(main_rec.parent_id, None)
        self.assertEqual(main_rec.state, "done")
        for name in ("worker", "second", "boom", "sleep"):
            self.assertEqual(by_name(t, name).parent_id, main_rec.id, name)
        self.assertEqual(by_name(t, "worker").state, "done")
        self.assertEqual(by_name(t, "worker").ended["loop"], 1000)
        boom = by_name(t, "boom")
        self.assertEqual(boom.state, "failed")
        self.assertEqual((boom.error["name"], boom.error["message"]), ("ValueError", "bad value"))
        self.assertIn('raise ValueError("bad value")', boom.error["stack"])
        sleeper = by_name(t, "sleep")
        self.assertEqual(sleeper.state, "cancelled")
        self.assertEqual(sleeper.cancel["source"], "program")
        self.assertEqual(sleeper.cancel["by"], {"id": main_rec.id, "name": "main"})
        self.assertEqual([r.name for r in t.records.values()], ["main", "worker", "second", "boom", "sleep"])
        # The function each coroutine came from, whatever the task's name: what the window groups by.
        self.assertEqual([r.coro for r in t.records.values()], ["main", "worker", "worker", "boom", "sleep"])
        self.assertEqual(t.snapshot(by_name(t, "second"))["coro"], "worker")

    def test_a_programs_own_task_factory_still_makes_the_tasks(self):
        made = []

        async def main():
            loop = asyncio.get_running_loop()

            def factory(loop, coro, **kw):
                made.append(coro.__qualname__)
                return asyncio.Task(coro, loop=loop, **kw)
            loop.set_task_factory(factory)
            self.assertIs(loop.get_task_factory(), factory)
            return await asyncio.create_task(worker(1))

        result, t = run_watched(main)
        self.assertEqual((result, [m for m in made if not m.startswith("BaseEventLoop.")]), (1, ["worker"]))
        self.assertEqual(by_name(t, "worker").state, "done")

    def test_unretrieved_exception_is_still_logged_by_cpython(self):
        async def main():
            async def boom():
                raise KeyError("lost")
            asyncio.create_task(boom())
            await asyncio.sleep(1)

        err = io.StringIO()
        with redirect_stderr(err):
            run_watched(main)
            import gc
            gc.collect()
        self.assertIn("Task exception was never retrieved", err.getvalue())


class Awaits(unittest.TestCase):
    def test_what_each_task_waits_on(self):
        snaps = {}

        async def main():
            lock, queue = asyncio.Lock(), asyncio.Queue()
            await lock.acquire()
            sleeper = asyncio.create_task(asyncio.sleep(2), name="sleeper")
            locked = asyncio.create_task(lock.acquire(), name="locked")
            getter = asyncio.create_task(queue.get(), name="getter")
            waiter = asyncio.create_task(asyncio.wait_for(sleeper, 5), name="waiter")
            async def gather_two():
                await asyncio.gather(asyncio.sleep(1), asyncio.sleep(1))
            gatherer = asyncio.create_task(gather_two(), name="gatherer")
            for _ in range(3):
                await asyncio.sleep(0)
            from loopwatch_agent.tracker import tracker
            for rec in list(tracker.live.values()):
                snaps[rec.name] = tracker.snapshot(rec)["awaiting"]
            for task in (locked, getter, waiter, gatherer):
                task.cancel()
            await asyncio.gather(locked, getter, waiter, gatherer, return_exceptions=True)

        _, t = run_watched(main)
        self.assertEqual(snaps["sleeper"], {"kind": "sleep", "text": "sleep 2.0 s until 2.000 s", "taskId": None})
        self.assertEqual(snaps["locked"], {"kind": "future", "text": "lock", "taskId": None})
        self.assertEqual(snaps["getter"], {"kind": "future", "text": "queue get", "taskId": None})
        sleeper_id = by_name(t, "sleeper").id
        if sys.version_info >= (3, 12):  # wait_for awaits the task itself inside a timeout()
            self.assertEqual(snaps["waiter"], {"kind": "task", "text": f"task #{sleeper_id} sleeper", "taskId": sleeper_id})
        else:  # 3.11: wait_for parks on its own waiter future
            self.assertEqual(snaps["waiter"]["kind"], "future")
        self.assertEqual(snaps["gatherer"], {"kind": "future", "text": "gather (2)", "taskId": None})
        self.assertIsNone(snaps["main"])  # main is running (it takes the snapshots): it awaits nothing
        self.assertIsInstance(sleeper_id, int)

    def test_awaiting_another_task_names_it(self):
        seen = {}

        async def main():
            child = asyncio.create_task(asyncio.sleep(1), name="child")

            async def parent():
                await child
            p = asyncio.create_task(parent(), name="parent")
            await asyncio.sleep(0)
            await asyncio.sleep(0)
            from loopwatch_agent.tracker import tracker
            rec = next(r for r in tracker.live.values() if r.name == "parent")
            seen.update(tracker.snapshot(rec)["awaiting"])
            await p

        _, t = run_watched(main)
        child_id = by_name(t, "child").id
        self.assertEqual(seen, {"kind": "task", "text": f"task #{child_id} child", "taskId": child_id})


if __name__ == "__main__":
    unittest.main()
