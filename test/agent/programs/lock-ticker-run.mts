// lock-ticker for `loopwatch run` (which watches it): a ticker every 20 ms, a Lock `db` held by
// `holder` and waited on by `waiter`. Runs until stopped.
import { Lock, createTask, run, sleep } from 'loopwatch'

await run(async () => {
  const db = new Lock({ name: 'db' })
  createTask(async () => {
    await db.acquire()
    await sleep(1e9)
  }, { name: 'holder' })
  createTask(async () => {
    await sleep(5)
    await db.acquire()
  }, { name: 'waiter' })
  let n = 0
  await createTask(async () => {
    for (;;) {
      console.log(`tick ${++n}`)
      await sleep(20)
    }
  }, { name: 'ticker' })
})
