// Course program "first-exception" (Корректное завершение программы): wait(FIRST_EXCEPTION)
// returns when one worker fails; main cancels the others and each ends cleanly.
import { CancelledError, FIRST_EXCEPTION, createTask, gather, run, sleep, wait } from 'loopwatch'

async function worker(idx: number): Promise<void> {
  try {
    for (;;) {
      console.log(`worker ${idx} new iter`)
      await sleep(1000)
    }
  } catch (error) {
    if (!(error instanceof CancelledError)) throw error // except CancelledError:
    console.log('worker was cancelled')
  }

  console.log('worker was correctly cancelled')
}

async function workerWithException(idx: number): Promise<void> {
  await sleep(1000)
  console.log(`worker ${idx} Exception`)
  throw new Error() // raise Exception
}

async function main(): Promise<void> {
  // the course passes the coroutines themselves; Python 3.11 wants tasks
  const { done, pending } = await wait(
    [
      ...[1, 2, 3].map((i) => createTask(() => worker(i), { name: `worker(${i})` })),
      createTask(() => workerWithException(4), { name: 'worker_with_exception(4)' }),
    ],
    { returnWhen: FIRST_EXCEPTION },
  )

  console.log(`done(${done.size}) pending(${pending.size})`) // показываем число завершенных и работающих task-ов

  for (const p of pending) {
    p.cancel()
  }

  await gather([...pending])
}

await run(main)
