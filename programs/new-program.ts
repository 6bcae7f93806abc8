// A new program: write tasks with the runtime's API (complete with Ctrl-Space), then Run.
import { CancelledError, createTask, run, sleep } from 'loopwatch'

async function worker(name: string, rounds: number): Promise<void> {
  try {
    for (let i = 1; i <= rounds; i++) {
      console.log(`${name}: round ${i}`)
      await sleep(500)
    }
  } catch (error) {
    if (error instanceof CancelledError) console.log(`${name}: cancelled, cleaning up`)
    throw error
  }
}

async function main(): Promise<void> {
  const a = createTask(() => worker('a', 5), { name: 'a' })
  const b = createTask(() => worker('b', 3), { name: 'b' })
  await a
  await b
}

await run(main)
