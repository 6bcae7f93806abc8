/** A plain promise (a deferred) shared between tasks (see /tmp/runtime-bugs/BUGS.md, B19). */
import { describe, expect, it } from 'vitest'
import { CancelledError, VirtualClock, createTask, run, sleep } from '../../../src/main/runtime/index'
import { hung } from '../cpython'

describe('a deferred resolved by another task (pending runtime fixes)', () => {
  it('the waiting task does not hijack the resolving task, and cancel() still ends it so run() returns', async () => {
    const clock = new VirtualClock()
    const lines: string[] = []
    const done = run(
      async () => {
        let resolveFn!: (v: string) => void
        const deferred = new Promise<string>((resolve) => (resolveFn = resolve))
        const a = createTask(async () => {
          await deferred
          for (;;) await sleep(5)
        })
        const b = createTask(async () => {
          await sleep(10)
          resolveFn('x')
          await sleep(100)
          lines.push(`B finished at ${clock.now()}`)
        })
        await sleep(20)
        a.cancel()
        try {
          await a
        } catch (e) {
          lines.push(e instanceof CancelledError ? 'A cancelled' : `A failed: ${(e as Error).name}`)
        }
        await b
        return 'main done'
      },
      { clock },
    )
    expect(await Promise.race([done, hung(1500)])).toBe('main done')
    expect(lines).toHaveLength(2)
    expect(lines[0]).toMatch(/^A (cancelled|failed: RuntimeError)$/)
    expect(lines[1]).toBe('B finished at 110')
  })
})
