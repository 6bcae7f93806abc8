import { run } from '../../runtime/index'
import { defineScenario } from '../define'
import { paramsObject } from '../params'
import type { ScenarioContext } from '../types'

const params = paramsObject({})

// #region port
async function program(_ctx: ScenarioContext<Record<string, never>>): Promise<void> {
  function main(): void {
    // the course: time.sleep(1) — a plain function, so main() returns undefined (None)
  }

  // asyncio.run(main()): the runtime is handed main's result, not a coroutine function
  await run(main() as unknown as () => Promise<void>)
}
// #endregion port

export const runNonCoroutine = defineScenario({
  id: 'run-non-coroutine',
  title: "asyncio.run given a plain function's result",
  section: 'Синтаксический сахар: Async & Await',
  description:
    'main() is a plain function, so asyncio.run(main()) receives its result (None) instead of a ' +
    'coroutine and raises before any loop exists. CPython 3.11 says "ValueError: a coroutine was ' +
    'expected, got None"; our runtime\'s run() rejects with "TypeError: a coroutine function was ' +
    'expected, got undefined". The run shows that error as its failed outcome. The course\'s ' +
    'time.sleep(1) is left out: it only blocks for a real second before the error.',
  params,
  run: program,
})
