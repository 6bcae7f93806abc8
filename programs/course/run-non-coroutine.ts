// Course program "run-non-coroutine" (Синтаксический сахар: Async & Await): asyncio.run given a
// plain function's result. main() is not async, so run() gets undefined and throws before any loop runs.
import { run } from 'loopwatch'

function main(): void {
  // the course: time.sleep(1) — a plain function, so main() returns undefined (Python's None)
}

// @ts-expect-error the course's bug, kept: run() wants the async function itself, main() is its result
await run(main()) // TypeError: a coroutine function was expected, got undefined
