// A watched child for the loop-control tests: a ticker that prints `tick N` every 20 ms, a task
// holding the Lock `db` forever and one waiting on it. Runs until stopped from the app.
import { watch } from '../../../src/agent/index'
import { Lock, createTask, run, sleep } from '../../../src/main/runtime/index'

const w = watch({ name: 'lock-ticker', role: 'child', onStopped: () => process.exit(0) })

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
      w.log('stdout', `tick ${++n}`)
      await sleep(20)
    }
  }, { name: 'ticker' })
})
