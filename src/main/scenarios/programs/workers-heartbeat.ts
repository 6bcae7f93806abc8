import type * as v from 'valibot'
import { createTask, sleep } from '../../runtime/index'
import { defineScenario } from '../define'
import { iterations, moreRounds, paramsObject } from '../params'
import type { ScenarioContext } from '../types'

const params = paramsObject({ iterations: iterations(2) })
type Params = v.InferOutput<typeof params>

// #region port
async function program({ params, print, run }: ScenarioContext<Params>): Promise<void> {
  async function worker(idx: number): Promise<void> {
    for (let n = 0; moreRounds(n, params.iterations); n++) {
      // the course: while True
      print(`worker-${idx} msg`)
      await sleep(1000)
    }
  }

  async function main(): Promise<void> {
    for (let i = 0; i < 3; i++) {
      // добавляем в event loop 3 task-и
      createTask(() => worker(i + 1), { name: `worker-${i + 1}` })
    }

    for (let n = 0; moreRounds(n, params.iterations); n++) {
      // the course: while True
      print('main msg')
      await sleep(1000) // сон нужен для передачи управления другим короутинам, нашим worker-ам
    }
  }

  await run(main)
}
// #endregion port

export const workersHeartbeat = defineScenario({
  id: 'workers-heartbeat',
  title: 'main and three worker tasks print every second',
  section: 'Работа с короутинами и asyncio: Task',
  description:
    'main() starts three workers with asyncio.create_task, then everyone prints and sleeps one ' +
    'second, forever. At t=0 the order is fixed: main prints before its first await, then the ' +
    'workers start in creation order. From the first second on, four sleeps end at the same ' +
    'moment and asyncio does not order equal deadlines, so those lines may come in any order. ' +
    'params.iterations bounds the endless loops (null: endless, as in the course); main and the ' +
    'workers stop after the same number of rounds so asyncio.run cuts nothing off mid-round.',
  params,
  run: program,
})
