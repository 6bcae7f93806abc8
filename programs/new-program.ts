// A new program: three tasks on one loop. While it runs, select a task in the window and press
// Cancel… (`c`) or Deadline… (`d`): cancel `ticker` to see its cleanup line, give `fetch` a 2 s deadline.
import { CancelledError, createTask, gather, run, sleep } from 'loopwatch'

async function ticker(): Promise<void> {
  try {
    for (let n = 1; ; n++) {
      console.log(`tick ${n}`)
      await sleep(1000)
    }
  } catch (error) {
    if (error instanceof CancelledError) console.log('ticker: cleaned up')
    throw error
  }
}

async function job(name: string, ms: number): Promise<string> {
  await sleep(ms)
  console.log(`${name}: done after ${ms} ms`)
  return name
}

async function main(): Promise<void> {
  const tasks = [createTask(ticker, { name: 'ticker' }), createTask(() => job('fetch', 5000), { name: 'fetch' }), createTask(() => job('report', 3000), { name: 'report' })]
  const results = await gather(tasks, { returnExceptions: true }) // a cancelled task's result is its CancelledError
  console.log('results:', results.map((r) => (r instanceof Error ? r.name : r)).join(', '))
}

await run(main)
