/** A task after a direct foreign await (see /tmp/runtime-bugs/BUGS.md, B17). */
import { describe, expect, it } from 'vitest'
import { CancelledError, Event, VirtualClock, createTask, run, sleep } from '../../../src/main/runtime/index'
import { hung } from '../cpython'

describe('a task resumed from a foreign promise it awaited directly (pending runtime fixes)', () => {
  it('is cancelled at its next runtime await, so run() can end', async () => {
    const clock = new VirtualClock()
    const lines: string[] = []
    const done = run(
      async () => {
        const resumed = new Event()
        const worker = createTask(async () => {
          await new Promise<void>((resolve) => setImmediate(resolve)) // a foreign promise, like fetch
          resumed.set()
          try {
            for (;;) await sleep(10)
          } catch (e) {
            lines.push(`worker got ${e instanceof CancelledError ? 'CancelledError' : String(e)}`)
            throw e
          }
        })
        await resumed.wait()
        worker.cancel()
        try {
          await worker
        } catch (e) {
          lines.push(`main saw the worker ${worker.cancelled() ? 'cancelled' : 'not cancelled'}`)
        }
        return 'main done'
      },
      { clock },
    )
    expect(await Promise.race([done, hung(1500)])).toBe('main done')
    expect(lines).toEqual(['worker got CancelledError', 'main saw the worker cancelled'])
  })
})
