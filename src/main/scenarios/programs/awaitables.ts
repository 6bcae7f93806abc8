import { createTask, sleep } from '../../runtime/index'
import { defineScenario } from '../define'
import { paramsObject } from '../params'
import type { ScenarioContext } from '../types'

const params = paramsObject({})

// #region port
async function program({ print, run }: ScenarioContext<Record<string, never>>): Promise<void> {
  async function coro(): Promise<void> {
    await sleep(5000)
  }

  async function main(): Promise<void> {
    await coro() // дожидаемся выполнения короутины
    print('awaited coro()')

    const task = createTask(coro, { name: 'coro' }) // создаем Task и добавляем ее в event loop

    await task // дожидаемся выполнения Task-и
    print('awaited task')
  }

  await run(main)
}
// #endregion port

export const awaitables = defineScenario({
  id: 'awaitables',
  title: 'Await a coroutine, then a task (5 s each)',
  section: 'Awaitable',
  description:
    'Coroutines, tasks and futures are awaitable. main() awaits a coroutine directly (it runs ' +
    'inside main\'s own task), then wraps the same coroutine function in a Task and awaits that ' +
    '(a second task on the loop). Each takes 5 s. The course prints nothing; the port prints ' +
    "'awaited coro()' at 5 s and 'awaited task' at 10 s.",
  params,
  run: program,
})
