// The course's wait-all-completed as a plain JavaScript user program (.js, no package.json beside it).
import { ALL_COMPLETED, createTask, run, sleep, wait } from 'loopwatch'

const DELAYS = [3000, 1000, 5000, 2000, 4000]

async function randomSleep(i) {
  console.log(`${i}: start sleep`)
  await sleep(DELAYS[i - 1])
  console.log(`${i}: end sleep`)
}

async function main() {
  const tasks = DELAYS.map((_, k) => createTask(() => randomSleep(k + 1), { name: `random_sleep(${k + 1})` }))
  await wait(tasks, { returnWhen: ALL_COMPLETED })
}

await run(main)
