// Course program "async-context-manager" (Асинхронный контекстный менеджер): __aenter__/__aexit__;
// the course's bug kept — __aexit__ returns action() instead of awaiting it, so action never runs.
import { getRunningLoop, run, sleep } from 'loopwatch'

/** Python's time.time() on the loop's clock, printed as Python prints a float ("1.0"). */
function time(): string {
  const s = getRunningLoop().time() / 1000
  return Number.isInteger(s) ? s.toFixed(1) : String(s)
}

async function action(): Promise<void> {
  console.log(`${time()}: start sleep`)
  await sleep(1000)
  console.log(`${time()} end sleep`)
}

/** A Python coroutine object: the async function, not called yet (a JS call would start it at once). */
type Coroutine = () => Promise<void>

class AsyncContextManager {
  __aenter__(): PromiseLike<void> {
    console.log(`${time()}: __aenter__`)
    return sleep(1000) // a plain method returning an awaitable is fine: `async with` awaits it
  }

  async __aexit__(): Promise<Coroutine> {
    console.log(`${time()}: __aexit__`)
    return action // the course: `return action()` — a coroutine object handed back, never awaited
  }
}

/** Python's `async with cm: body` — awaits __aenter__(), runs the body, awaits __aexit__(), drops its result. */
async function asyncWith(cm: AsyncContextManager, body: () => Promise<void>): Promise<void> {
  await cm.__aenter__()
  try {
    await body()
  } finally {
    const dropped = await cm.__aexit__()
    // CPython warns when a coroutine object is dropped without ever running
    process.stderr.write(`RuntimeWarning: coroutine '${dropped.name}' was never awaited\n`)
  }
}

async function main(): Promise<void> {
  await asyncWith(new AsyncContextManager(), async () => {
    // pass
  })

  // Добавили сон, чтобы дождаться выполнения action()
  await sleep(2000)
}

await run(main)
