// Course program "wait-all-completed" (Запуск нескольких короутин): wait(ALL_COMPLETED) returns
// when every task is done, like gather.
import { ALL_COMPLETED, createTask, run, sleep, wait } from 'loopwatch'

const DELAYS = [3000, 1000, 5000, 2000, 4000] // param delays (ms; the course: random.randint(1, 5) s)

async function randomSleep(i: number): Promise<void> {
  const delay = DELAYS[i - 1]!
  console.log(`${i}: start sleep`)
  await sleep(delay)
  console.log(`${i}: end sleep`)
}

async function main(): Promise<void> {
  // the course passes the coroutines themselves; Python 3.11 wants tasks
  const tasks = DELAYS.map((_, k) => createTask(() => randomSleep(k + 1), { name: `random_sleep(${k + 1})` }))
  await wait(tasks, { returnWhen: ALL_COMPLETED })
}

await run(main)
