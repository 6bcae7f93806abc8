// Course program "wait-first-completed" (Запуск нескольких короутин): wait(FIRST_COMPLETED)
// returns with the fastest task; run() then cancels the four still sleeping.
import { FIRST_COMPLETED, createTask, run, sleep, wait } from 'loopwatch'

const DELAYS = [3000, 5000, 2000, 1000, 4000] // param delays (ms; the course: random.randint(1, 5) s)

async function randomSleep(i: number): Promise<void> {
  const delay = DELAYS[i - 1]!
  console.log(`${i}: start sleep`)
  await sleep(delay)
  console.log(`${i}: end sleep`)
}

async function main(): Promise<void> {
  // the course passes the coroutines themselves; Python 3.11 wants tasks
  const tasks = DELAYS.map((_, k) => createTask(() => randomSleep(k + 1), { name: `random_sleep(${k + 1})` }))
  await wait(tasks, { returnWhen: FIRST_COMPLETED })
}

await run(main)
