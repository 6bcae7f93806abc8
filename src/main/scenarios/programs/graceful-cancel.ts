import type * as v from 'valibot'
import { CancelledError, createTask, sleep } from '../../runtime/index'
import { defineScenario } from '../define'
import { millis, paramsObject } from '../params'
import type { ScenarioContext } from '../types'

const params = paramsObject({ cancelAfter: millis(5000) })
type Params = v.InferOutput<typeof params>

// #region port
async function program({ params, print, run }: ScenarioContext<Params>): Promise<void> {
  async function dbOperation(): Promise<void> {
    print('operation start')
    try {
      for (;;) {
        print('operation new round')
        await sleep(1000)
      }
    } catch (error) {
      if (!(error instanceof CancelledError)) throw error // except CancelledError:
      print('operation was cancelled')
      await sleep(1000)
    }

    print('operation done')
  }

  async function main(): Promise<void> {
    const task = createTask(dbOperation, { name: 'db_operation' })
    await sleep(params.cancelAfter)

    task.cancel() // CancelledError is raised inside dbOperation at its next resumption

    await task // передаем управление db_operation для корректного завершения
  }

  await run(main)
}
// #endregion port

export const gracefulCancel = defineScenario({
  id: 'graceful-cancel',
  title: 'Cancel a db operation at 5 s and await its cleanup',
  section: 'Корректное завершение программы',
  description:
    'A server under load must restart without losing the writes in flight: cancel the task, ' +
    'then await it so its cleanup (catching CancelledError, a last 1 s write) runs to the end. ' +
    "At 5 s two sleeps are due together: main's 5 s sleep (scheduled at 0) and the operation's " +
    'fifth 1 s round (scheduled at 4 s). Equal deadlines fire in scheduling order, so main wakes ' +
    "first and cancels the task while its wake-up is already queued: the task resumes with " +
    'CancelledError instead of a sixth round — five rounds, as in the course.',
  params,
  run: program,
})
