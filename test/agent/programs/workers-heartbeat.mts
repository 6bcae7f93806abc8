// The course's workers-heartbeat as a plain user program: main and three workers print every
// second (two rounds, the oracle's params).
import { createTask, run, sleep } from 'loopwatch'

const ROUNDS = 2

async function worker(idx: number): Promise<void> {
  for (let n = 0; n < ROUNDS; n++) {
    console.log(`worker-${idx} msg`)
    await sleep(1000)
  }
}

async function main(): Promise<void> {
  for (let i = 0; i < 3; i++) createTask(() => worker(i + 1), { name: `worker-${i + 1}` })
  for (let n = 0; n < ROUNDS; n++) {
    console.log('main msg')
    await sleep(1000)
  }
}

await run(main)
