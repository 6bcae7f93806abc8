import type * as v from 'valibot'
import { sleep } from '../../runtime/index'
import { defineScenario } from '../define'
import { iterations, moreRounds, paramsObject, positiveMillis } from '../params'
import { pyFloat } from '../python/repr'
import type { ScenarioContext } from '../types'

const params = paramsObject({ interval: positiveMillis(60_000), iterations: iterations(3) })
type Params = v.InferOutput<typeof params>

// #region port
async function program({ params, print, time, run }: ScenarioContext<Params>): Promise<void> {
  async function sendStatistic(): Promise<void> {
    print(`${pyFloat(time())}: stat`)
  }

  async function main(): Promise<void> {
    for (let n = 0; moreRounds(n, params.iterations); n++) {
      // the course: while True
      await sleep(params.interval)
      await sendStatistic()
    }
  }

  await run(main) // запуск короутины используя упрощенный синтаксис
}
// #endregion port

export const statsDaemonRun = defineScenario({
  id: 'stats-daemon-run',
  title: 'The same daemon through asyncio.run',
  section: 'Возможности Event Loop на примерах конкретных задач (Пример 2)',
  description:
    'The daemon of Пример 2 without an explicit loop: asyncio.run(main()). Same course bug: ' +
    'time.time() without "import time" — as written, NameError at the first send_statistic(), ' +
    'asyncio.run() re-raises it and the program exits with "NameError: name \'time\' is not ' +
    'defined" after one interval. The port fixes the import and prints seconds on the run\'s ' +
    'clock ("60.0: stat"); params.iterations bounds the endless loop (null: endless).',
  params,
  run: program,
})
