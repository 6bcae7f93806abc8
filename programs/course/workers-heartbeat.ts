// Course program "workers-heartbeat" (Работа с короутинами и asyncio: Task): main starts three
// worker tasks, then main and the workers each print and sleep a second.
import { createTask, run, sleep } from 'loopwatch'

const ITERATIONS: number | null = 2 // param iterations (the course: while True; null: endless)

async function worker(idx: number): Promise<void> {
  for (let n = 0; ITERATIONS === null || n < ITERATIONS; n++) {
    console.log(`worker-${idx} msg`)
    await sleep(1000)
  }
}

async function main(): Promise<void> {
  for (let i = 0; i < 3; i++) {
    // добавляем в event loop 3 task-и
    createTask(() => worker(i + 1), { name: `worker-${i + 1}` })
  }

  for (let n = 0; ITERATIONS === null || n < ITERATIONS; n++) {
    console.log('main msg')
    await sleep(1000) // сон нужен для передачи управления другим короутинам, нашим worker-ам
  }
}

await run(main)
