// The course's graceful-cancel (src/main/scenarios/programs/graceful-cancel.ts) as a plain user program (placeholder until the ports land).
import { CancelledError, createTask, run, sleep } from 'loopwatch'

async function dbOperation(): Promise<void> {
  console.log('operation start')
  try {
    for (;;) {
      console.log('operation new round')
      await sleep(1000)
    }
  } catch (error) {
    if (!(error instanceof CancelledError)) throw error
    console.log('operation was cancelled')
    await sleep(1000)
  }
  console.log('operation done')
}

async function main(): Promise<void> {
  const task = createTask(dbOperation, { name: 'db_operation' })
  await sleep(5000)
  task.cancel()
  await task
}

await run(main)
