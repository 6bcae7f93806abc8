// Course program "gather-random-sleep" (Запуск нескольких короутин): gather runs five sleeps at
// once and returns when all are done; starts print in argument order, ends by delay.
import { gather, run, sleep } from 'loopwatch'

const DELAYS = [4000, 1000, 2000, 3000, 5000] // param delays (ms; the course: random.randint(1, 5) s)

async function randomSleep(i: number): Promise<void> {
  const delay = DELAYS[i - 1]!
  console.log(`${i}: start sleep`)
  await sleep(delay)
  console.log(`${i}: end sleep`)
}

async function main(): Promise<void> {
  // gather wraps each coroutine function in a task, in argument order
  await gather(DELAYS.map((_, k) => () => randomSleep(k + 1)))
}

await run(main)
