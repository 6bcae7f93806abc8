import type * as v from 'valibot'
import { sleep } from '../../runtime/index'
import { defineScenario } from '../define'
import { asWritten, iterations, moreRounds, paramsObject, positiveMillis } from '../params'
import { NameError } from '../python/name-error'
import { pyFloat } from '../python/repr'
import type { ScenarioContext } from '../types'

const params = paramsObject({ interval: positiveMillis(60_000), iterations: iterations(3), asWritten: asWritten() })
type Params = v.InferOutput<typeof params>

// #region port
async function program({ params, loop, print, time }: ScenarioContext<Params>): Promise<void> {
  async function sendStatistic(): Promise<void> {
    // наш "поход" в сторонний сервис
    if (params.asWritten) throw new NameError('time') // the course's time.time() without "import time"
    print(`${pyFloat(time())}: stat`)
  }

  async function worker(): Promise<void> {
    for (let n = 0; moreRounds(n, params.iterations); n++) {
      // the course: while True
      await sleep(params.interval)
      await sendStatistic()
    }
    loop.stop()
  }

  // loop = asyncio.get_event_loop(): the run's loop
  loop.createTask(worker, { name: 'worker' }) // добавляем Task в event_loop

  await loop.runForever() // навсегда передаем управление программы на обработку task-ов
}
// #endregion port

export const statsDaemon = defineScenario({
  id: 'stats-daemon',
  title: 'Daemon: create_task + run_forever, a stat line every interval',
  section: 'Возможности Event Loop на примерах конкретных задач (Пример 2)',
  description:
    'Пример 2: a background daemon. loop.create_task(worker()) puts the worker on the loop and ' +
    'loop.run_forever() serves it; every interval (the course: 60 s) the worker "sends ' +
    'statistics", printing time.time(). Course bug: the snippet uses time.time() without ' +
    '"import time". As written, the first send_statistic() raises NameError inside the task; ' +
    'nothing holds the finished task, so CPython logs "Task exception was never retrieved" on ' +
    'stderr and run_forever() idles forever with nothing printed. The port fixes the import, as ' +
    "the course's sample output (a line every 10 s) shows, and prints seconds on the run's clock " +
    '("60.0: stat"). params.iterations bounds the endless loop, then the worker calls ' +
    'loop.stop() (null: endless, as written — stop it from the monitor). params.asWritten runs the ' +
    'bug: the worker dies with NameError, nobody retrieves it, and when the run is stopped (its ' +
    'loop closes) the runtime reports "Task exception was never retrieved" on stderr, as CPython ' +
    'does when it frees the task.',
  params,
  run: program,
})
