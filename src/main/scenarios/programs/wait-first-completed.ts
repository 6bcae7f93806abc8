import type * as v from 'valibot'
import { FIRST_COMPLETED, createTask, sleep, wait } from '../../runtime/index'
import { defineScenario } from '../define'
import { MAX_TASK_DELAYS, millisList, paramsObject } from '../params'
import type { ScenarioContext } from '../types'

const params = paramsObject({ delays: millisList([3000, 5000, 2000, 1000, 4000], MAX_TASK_DELAYS) })
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
    await wait(tasks, { returnWhen: FIRST_COMPLETED })
  }

  await run(main)
}
// #endregion port

export const waitFirstCompleted = defineScenario({
  id: 'wait-first-completed',
  title: 'wait(FIRST_COMPLETED): the fastest source wins',
  section: 'Запуск нескольких короутин',
  description:
    'Several equal sources; we want the fastest answer. asyncio.wait with ' +
    'return_when=FIRST_COMPLETED returns as soon as one task is done; main() then returns and ' +
    'asyncio.run cancels the four still sleeping, silently — so only one "end sleep" is printed ' +
    '(4, with the default delays, as in the course). Course bug: it passes coroutines, which ' +
    'Python 3.11 refuses (TypeError); the port creates the tasks explicitly, as Python ≤ 3.10 did ' +
    'through a set — hence the course\'s start order 5, 1, 3, 4, 2, and unordered starts here.',
  params,
  run: program,
})
