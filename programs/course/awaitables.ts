// Course program "awaitables" (Awaitable): await a coroutine (it runs inside main's own task),
// then the same coroutine wrapped in a task — 5 s each.
import { createTask, run, sleep } from 'loopwatch'

async function coro(): Promise<void> {
  await sleep(5000)
}

async function main(): Promise<void> {
  await coro() // дожидаемся выполнения короутины
  console.log('awaited coro()')

  const task = createTask(coro, { name: 'coro' }) // создаем Task и добавляем ее в event loop

  await task // дожидаемся выполнения Task-и
  console.log('awaited task')
}

await run(main)
