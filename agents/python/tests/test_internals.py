"""internals.py, the one module that reads CPython's private asyncio state (run on 3.11-3.13)."""
import asyncio
import unittest

from loopwatch_agent import internals


class Internals(unittest.TestCase):
    def test_step_and_wakeup_callbacks_name_their_task(self):
        seen = []

        class Loop(asyncio.SelectorEventLoop):
            def _call_soon(self, cb, args, ctx):
                seen.append(internals.task_of_callback(cb))
                return super()._call_soon(cb, args, ctx)

        async def child():
            await asyncio.sleep(0)
            await asyncio.get_running_loop().create_future() if False else None

        async def main():
            t = asyncio.create_task(child())
            await t
            return t

        with asyncio.Runner(loop_factory=Loop) as r:
            t = r.run(main())
        self.assertIn(t, seen)
        self.assertIsNone(internals.task_of_callback(print))

    def test_awaits_sleep_lock_queue_event_gather(self):
        async def main():
            lock, queue, event = asyncio.Lock(), asyncio.Queue(), asyncio.Event()
            await lock.acquire()
            tasks = {
                "sleep": asyncio.create_task(asyncio.sleep(2.5)),
                "lock": asyncio.create_task(lock.acquire()),
                "queue get": asyncio.create_task(queue.get()),
                "event": asyncio.create_task(event.wait()),
            }
            gathering = asyncio.gather(asyncio.sleep(1), asyncio.sleep(1))
            outer = asyncio.create_task(asyncio.wait_for(gathering, 10))
            await asyncio.sleep(0)
            await asyncio.sleep(0)
            loop = asyncio.get_running_loop()
            delay, due = internals.sleep_until(tasks["sleep"])
            self.assertEqual(delay, 2.5)
            self.assertAlmostEqual(due - loop.time(), 2.5, delta=0.5)
            self.assertIsNone(internals.sleep_until(tasks["lock"]))
            for word in ("lock", "queue get", "event"):
                self.assertEqual(internals.parked_in(tasks[word]), word)
                self.assertIsInstance(internals.awaited_future(tasks[word]), asyncio.Future)
            self.assertIs(internals.awaited_future(outer) is None, False)
            self.assertEqual(internals.gathered_count(gathering), 2)
            for t in list(tasks.values()) + [outer]:
                t.cancel()
            await asyncio.gather(*tasks.values(), outer, return_exceptions=True)

        asyncio.run(main())

    def test_cancel_callers(self):
        callers = []

        class Probe(asyncio.Task):
            def cancel(self, msg=None):
                callers.append((self.get_name(), internals.cancel_caller(2)))
                return super().cancel(msg)

        async def forever():
            await asyncio.sleep(3600)

        async def main():
            asyncio.get_running_loop().set_task_factory(lambda loop, coro, **kw: Probe(coro, loop=loop, **kw))
            try:
                await asyncio.wait_for(asyncio.create_task(forever(), name="inner"), 0.01)
            except TimeoutError:
                pass
            g = asyncio.gather(asyncio.create_task(forever(), name="gathered"))
            await asyncio.sleep(0)
            g.cancel()
            await asyncio.gather(g, return_exceptions=True)
            try:
                async with asyncio.TaskGroup() as tg:
                    tg.create_task(forever(), name="sibling")

                    async def boom():
                        raise ValueError("x")
                    tg.create_task(boom(), name="boom")
            except ExceptionGroup:
                pass
            t = asyncio.create_task(forever(), name="by-program")
            await asyncio.sleep(0)
            t.cancel()
            asyncio.create_task(forever(), name="left-running")
            await asyncio.sleep(0)

        asyncio.run(main())
        got = dict(callers)
        self.assertEqual(got["inner"], "timeout")
        self.assertEqual(got["gathered"], "parent")
        self.assertEqual(got["sibling"], "sibling")
        self.assertIsNone(got["by-program"])
        self.assertEqual(got["left-running"], "shutdown")

    def test_reading_an_exception_does_not_retrieve_it(self):
        async def boom():
            raise ValueError("kept")

        async def main():
            t = asyncio.create_task(boom())
            await asyncio.sleep(0)
            self.assertIsInstance(internals.task_exception(t), ValueError)
            self.assertTrue(t._log_traceback)  # CPython will still log "never retrieved"
            t.exception()

        asyncio.run(main())

    def test_asyncio_own_coroutines(self):
        loop = asyncio.new_event_loop()
        try:
            coro = loop.shutdown_asyncgens()
            self.assertTrue(internals.is_asyncio_own(coro))
            coro.close()

            async def mine():
                pass
            c = mine()
            self.assertFalse(internals.is_asyncio_own(c))
            c.close()
        finally:
            loop.close()


if __name__ == "__main__":
    unittest.main()
