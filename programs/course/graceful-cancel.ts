// Course program "graceful-cancel" (Корректное завершение программы): cancel a db operation at
// 5 s, then await it so its cleanup (catching CancelledError, a last 1 s write) runs to the end.
import { CancelledError, createTask, run, sleep } from 'loopwatch'

const CANCEL_AFTER = 5000 // param cancelAfter (ms)

async function dbOperation(): Promise<void> {
  console.log('operation start')
  try {
    for (;;) {
      console.log('operation new round')
      await sleep(1000)
    }
  } catch (error) {
    if (!(error instanceof CancelledError)) throw error // except CancelledError:
    console.log('operation was cancelled')
    await sleep(1000)
  }

  console.log('operation done')
}

async function main(): Promise<void> {
  const task = createTask(dbOperation, { name: 'db_operation' })
  await sleep(CANCEL_AFTER)

  task.cancel() // CancelledError is raised inside dbOperation at its next resumption

  await task // передаем управление db_operation для корректного завершения
}

await run(main)
