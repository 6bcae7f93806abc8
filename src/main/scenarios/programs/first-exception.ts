import { CancelledError, FIRST_EXCEPTION, createTask, gather, sleep, wait } from '../../runtime/index'
import { defineScenario } from '../define'
import { paramsObject } from '../params'
import type { ScenarioContext } from '../types'

const params = paramsObject({})

// #region port
async function program({ print, run }: ScenarioContext<Record<string, never>>): Promise<void> {
  async function worker(idx: number): Promise<void> {
    try {
      for (;;) {
        print(`worker ${idx} new iter`)
        await sleep(1000)
      }
    } catch (error) {
      if (!(error instanceof CancelledError)) throw error // except CancelledError:
      print('worker was cancelled')
    }

    print('worker was correctly cancelled')
  }

  async function workerWithException(idx: number): Promise<void> {
    await sleep(1000)
    print(`worker ${idx} Exception`)
    throw new Error() // raise Exception
  }

  async function main(): Promise<void> {
    // the course passes the coroutines themselves; Python 3.11 wants tasks
    const { done, pending } = await wait(
      [
        ...[1, 2, 3].map((i) => createTask(() => worker(i), { name: `worker(${i})` })),
        createTask(() => workerWithException(4), { name: 'worker_with_exception(4)' }),
      ],
      { returnWhen: FIRST_EXCEPTION },
    )

    print(`done(${done.size}) pending(${pending.size})`) // показываем число завершенных и работающих task-ов

    for (const p of pending) {
      p.cancel()
    }

    await gather([...pending])
  }

  await run(main)
}
// #endregion port

export const firstException = defineScenario({
  id: 'first-exception',
  title: 'wait(FIRST_EXCEPTION): one worker fails, the rest are cancelled',
  section: 'Корректное завершение программы',
  description:
    'Several workers run; when one fails, the program shuts the others down cleanly. ' +
    'asyncio.wait(return_when=FIRST_EXCEPTION) returns when worker 4 raises; main cancels the ' +
    'three pending workers and gathers them, and each catches CancelledError and ends normally. ' +
    'Course bug: it passes coroutines, which Python 3.11 refuses (TypeError); the port creates ' +
    'the tasks explicitly, so the starts are unordered. The four lines at 1 s are unordered too: ' +
    'all four sleeps are due together and every task woken at that tick runs before wait() ' +
    'returns. No "Task exception was never retrieved": wait() itself read the exception.',
  params,
  run: program,
})
