import type * as v from 'valibot'
import { gather, sleep } from '../../runtime/index'
import { defineScenario } from '../define'
import { MAX_TASK_DELAYS, millisList, paramsObject } from '../params'
import type { ScenarioContext } from '../types'

const params = paramsObject({ delays: millisList([4000, 1000, 2000, 3000, 5000], MAX_TASK_DELAYS) })
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
    // gather wraps each coroutine function in a task, in argument order
    await gather(params.delays.map((_, k) => () => randomSleep(k + 1)))
  }

  await run(main)
}
// #endregion port

export const gatherRandomSleep = defineScenario({
  id: 'gather-random-sleep',
  title: 'gather over five random sleeps',
  section: 'Запуск нескольких короутин',
  description:
    'asyncio.gather runs five coroutines at once and returns when all are done. gather wraps its ' +
    'arguments in tasks in argument order, so the starts print 1 to 5; each ends after its own ' +
    'delay. The course draws each delay with random.randint(1, 5) s; here they are ' +
    "params.delays (ms), whose default reproduces the course's output (ends 2, 3, 4, 1, 5). " +
    'Sleeps ending at the same moment may print in any order.',
  params,
  run: program,
})
