/** Future/Task cases where the runtime still differs from CPython (see /tmp/runtime-bugs/BUGS.md). */
import { describe, it } from 'vitest'
import { createTask, currentTask, sleep } from '../../../src/main/runtime/index'
import { expectSameTrace } from '../cpython'

describe('futures and tasks, compared with CPython (pending runtime fixes)', () => {
  it('a task that awaits itself gets RuntimeError and can carry on', async () => {
    await expectSameTrace(
      `
      async def main():
          me = asyncio.current_task()
          async def other():
              log('other runs')
          asyncio.create_task(other())
          try:
              await me
          except RuntimeError:
              log('RuntimeError')
          await asyncio.sleep(0)
          log('carried on')
      `,
      async (log) => {
        const me = currentTask()!
        createTask(async () => log('other runs'))
        try {
          await me
        } catch (e) {
          if (e instanceof Error && e.name === 'RuntimeError') log('RuntimeError')
        }
        await sleep(0)
        log('carried on')
      },
    )
  })

  it('a task refuses setResult and setException from outside and finishes with its own outcome', async () => {
    await expectSameTrace(
      `
      async def job():
          await asyncio.sleep(0.01)
          log('job finishes')
          return 'own value'
      async def main():
          t = asyncio.create_task(job())
          for attempt in (lambda: t.set_result('forced'), lambda: t.set_exception(ValueError('forced'))):
              try:
                  attempt()
              except RuntimeError:
                  log('refused, done', t.done())
          log('awaited', await t)
      `,
      async (log) => {
        const t = createTask(async () => {
          await sleep(10)
          log('job finishes')
          return 'own value'
        })
        for (const attempt of [() => t.setResult('forced'), () => t.setException(new Error('forced'))]) {
          try {
            attempt()
          } catch (e) {
            if (e instanceof Error && e.name === 'RuntimeError') log('refused, done', t.done() ? 'True' : 'False')
          }
        }
        log('awaited', await t)
      },
    )
  })
})
