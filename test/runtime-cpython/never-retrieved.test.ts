/**
 * "Task exception was never retrieved": a failed task whose error nobody takes is reported through
 * the loop's exception handler. CPython reports when the task is freed (at once, by reference
 * counting); the runtime when the loop closes (run() closes it on exit) or when the task is
 * garbage-collected — so these compare *which* tasks are reported, with what, not when.
 */
import { describe, expect, it } from 'vitest'
import type { ExceptionContext } from '../../src/main/runtime/index'
import { EventLoop, VirtualClock, createTask, gather, getRunningLoop, run, sleep, taskGroup, wait, FIRST_EXCEPTION } from '../../src/main/runtime/index'
import { ValueError, err, py } from './cpython'

describe('Task exception was never retrieved, compared with CPython', () => {
  it('reports exactly the failed tasks nobody awaited, asked or gathered, with the message, task and error', async () => {
    const expected = py(
      `
      reports = []
      async def boom(msg):
          await asyncio.sleep(0.001)
          raise ValueError(msg)
      async def main():
          loop = asyncio.get_running_loop()
          loop.set_exception_handler(lambda l, ctx: reports.append(f"{ctx['message']}: {ctx['future'].get_name()} {err(ctx['exception'])}"))
          asyncio.create_task(boom('dropped'), name='dropped')
          awaited = asyncio.create_task(boom('awaited'), name='awaited')
          asked = asyncio.create_task(boom('asked'), name='asked')
          gathered = asyncio.create_task(boom('gathered'), name='gathered')
          g = asyncio.gather(gathered, return_exceptions=True)
          waited = asyncio.create_task(boom('waited'), name='waited')
          first = asyncio.create_task(boom('first'), name='first')
          try:
              await awaited
          except ValueError:
              pass
          await asyncio.sleep(0.01)
          asked.exception()
          await g
          await asyncio.wait([waited])
          await asyncio.wait([first], return_when=asyncio.FIRST_EXCEPTION)
          del waited, first, awaited, asked, gathered, g
          await asyncio.sleep(0.01)
      main_run(main)
      for r in sorted(reports):
          print(r)
      `,
      { raw: true },
    )
    const reports: string[] = []
    const clock = new VirtualClock()
    let outcome = ''
    try {
      await run(
        async () => {
          getRunningLoop().setExceptionHandler((e: unknown, _where: string, ctx?: ExceptionContext) => {
            reports.push(`${ctx?.message}: ${ctx?.task?.name} ${err(e)}`)
          })
          const boom = (msg: string) => async (): Promise<never> => {
            await sleep(1)
            throw new ValueError(msg)
          }
          createTask(boom('dropped'), { name: 'dropped' })
          const awaited = createTask(boom('awaited'), { name: 'awaited' })
          const asked = createTask(boom('asked'), { name: 'asked' })
          const gathered = createTask(boom('gathered'), { name: 'gathered' })
          const g = gather([gathered], { returnExceptions: true })
          const waited = createTask(boom('waited'), { name: 'waited' })
          const first = createTask(boom('first'), { name: 'first' })
          await awaited.then(
            () => undefined,
            () => undefined,
          )
          await sleep(10)
          asked.exception()
          await g
          await wait([waited])
          await wait([first], { returnWhen: FIRST_EXCEPTION })
          await sleep(10)
        },
        { clock },
      )
      outcome = `${clock.now()} end null`
    } catch (e) {
      outcome = `end raised ${err(e)}`
    }
    expect([outcome, ...reports.sort()]).toEqual(expected)
    // not vacuous: CPython does report some (the dropped one, and those wait() never asked)
    expect(expected).toContain('Task exception was never retrieved: dropped ValueError(dropped)')
  })

  it('a task group child and a failure retrieved after it ended are not reported; a closed loop reports once', async () => {
    const loop = new EventLoop({ clock: new VirtualClock() })
    const seen: string[] = []
    loop.setExceptionHandler((e, _where, ctx) => seen.push(`${ctx?.message ?? 'other'} ${ctx?.task?.name} ${(e as Error).message}`))
    const late = loop.createTask(async () => {
      throw new Error('late')
    }, { name: 'late' })
    await loop.runUntilComplete(async () => {
      await taskGroup(async (tg) => {
        tg.createTask(async () => {
          throw new Error('in group')
        }, { name: 'child' })
      }).catch(() => undefined)
    })
    loop.createTask(async () => {
      throw new Error('dropped')
    }, { name: 'dropped' })
    await loop.runUntilComplete(() => sleep(1))
    expect(late.exception()).toBeInstanceOf(Error) // retrieved after it ended, before close
    expect(seen).toEqual([])
    loop.close()
    loop.close()
    expect(seen).toEqual(['Task exception was never retrieved dropped dropped'])
  })

  it('without a handler the report goes to console.error with the task and its error', async () => {
    const lines: unknown[][] = []
    const original = console.error
    console.error = (...args: unknown[]) => void lines.push(args)
    try {
      await run(
        async () => {
          createTask(async () => {
            throw new Error('nobody asked')
          }, { name: 'lonely' })
          await sleep(1)
        },
        { clock: new VirtualClock() },
      )
    } finally {
      console.error = original
    }
    expect(lines).toHaveLength(1)
    expect(String(lines[0]![0])).toMatch(/Task exception was never retrieved: task lonely \(#\d+\)/)
    expect((lines[0]![1] as Error).message).toBe('nobody asked')
  })
})
