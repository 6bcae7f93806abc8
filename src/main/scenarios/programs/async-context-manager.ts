import { sleep } from '../../runtime/index'
import { defineScenario } from '../define'
import { paramsObject } from '../params'
import { asyncWith, type PyAsyncContextManager } from '../python/async-with'
import { type Coroutine, coroutine } from '../python/coroutine'
import { pyFloat } from '../python/repr'
import type { ScenarioContext } from '../types'

const params = paramsObject({})

// #region port
async function program({ print, warn, time, run }: ScenarioContext<Record<string, never>>): Promise<void> {
  async function action(): Promise<void> {
    print(`${pyFloat(time())}: start sleep`)
    await sleep(1000)
    print(`${pyFloat(time())} end sleep`)
  }

  class AsyncContextManager implements PyAsyncContextManager<void> {
    __aenter__(): PromiseLike<void> {
      print(`${pyFloat(time())}: __aenter__`)
      return sleep(1000)
    }

    async __aexit__(): Promise<Coroutine<void>> {
      print(`${pyFloat(time())}: __aexit__`)
      return coroutine(action, warn) // Python's action(): a coroutine object, not yet running
    }
  }

  async function main(): Promise<void> {
    await asyncWith(new AsyncContextManager(), async (_acm) => {
      // pass
    })

    // Добавили сон, чтобы дождаться выполнения action()
    await sleep(2000)
  }

  await run(main)
}
// #endregion port

export const asyncContextManager = defineScenario({
  id: 'async-context-manager',
  title: 'An async context manager whose __aexit__ returns an unawaited coroutine',
  section: 'Асинхронный контекстный менеджер',
  description:
    'An asynchronous context manager (__aenter__/__aexit__, each returning an awaitable). ' +
    "Course bug: __aexit__ is async and returns action() instead of awaiting it. `async with` " +
    'awaits __aexit__, gets the coroutine object back and drops it, so action() never runs: no ' +
    '"start sleep"/"end sleep" is ever printed, and CPython warns on stderr ' +
    "\"RuntimeWarning: coroutine 'action' was never awaited\" at 1 s. The course's comment says " +
    'the final sleep(2) waits for action(); it only moves the exit to 3 s. A JS async function ' +
    'starts the moment it is called, so the port models the coroutine object as a deferred call ' +
    'that is never started, and reports the same warning when it is dropped. (A plain ' +
    '__aenter__ returning asyncio.sleep(1) is fine: `async with` awaits it.)',
  params,
  run: program,
})
