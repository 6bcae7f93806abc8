import type * as v from 'valibot'
import { ALL_COMPLETED, createTask, sleep, wait } from '../../runtime/index'
import { defineScenario } from '../define'
import { MAX_TASK_DELAYS, millisList, paramsObject } from '../params'
import type { ScenarioContext } from '../types'

const params = paramsObject({ delays: millisList([3000, 1000, 5000, 2000, 4000], MAX_TASK_DELAYS) })
type Params = v.InferOutput<typeof params>

// #region port
async function program({ params, print, run }: ScenarioContext<Params>): Promise<void> {
  async function randomSleep(i: number): Promise<void> {
    const delay = params.delays[i - 1]! // the course: random.randint(1, 5)
    print(`${i}: start sleep`)
    await sleep(delay)
    print(`${i}: end sleep`)
  }

  async function main(): Promise<void> {
    // the course passes the coroutines themselves; Python 3.11 wants tasks
    const tasks = params.delays.map((_, k) =>
      createTask(() => randomSleep(k + 1), { name: `random_sleep(${k + 1})` }),
    )
    await wait(tasks, { returnWhen: ALL_COMPLETED })
  }

  await run(main)
}
// #endregion port

export const waitAllCompleted = defineScenario({
  id: 'wait-all-completed',
  title: 'wait(ALL_COMPLETED) over five random sleeps',
  section: 'Запуск нескольких короутин',
  description:
    'asyncio.wait with return_when=ALL_COMPLETED (the default) returns when every task is done, ' +
    'like gather. Course bug: the course passes coroutines, which Python 3.11 refuses ("TypeError: ' +
    'Passing coroutines is forbidden, use tasks explicitly.", plus a "never awaited" warning for ' +
    'each). The port creates the tasks explicitly, which is what Python ≤ 3.10 did implicitly — ' +
    'through a set, so the start order was arbitrary; the starts are therefore unordered. The ' +
    'course\'s random.randint(1, 5) s delays are params.delays (ms).',
  params,
  run: program,
})
