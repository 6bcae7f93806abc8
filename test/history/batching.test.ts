import { afterEach, describe, expect, it, vi } from 'vitest'
import { createTask, EventLoop, gather, sleep, VirtualClock } from '../../src/main/runtime'
import { WriteBuffer } from '../../src/main/history/write-buffer'
import { open, rows } from './helpers'

afterEach(() => {
  vi.restoreAllMocks()
})

describe('history batching', () => {
  it('thousands of task events reach the disk in a few transactions, none inside a task step', async () => {
    const h = open(undefined, { flushMs: 60_000, maxBatch: 500 })
    const loop = new EventLoop({ clock: new VirtualClock() })
    const runId = h.startRun({ scenario: 'many', clock: 'virtual' })

    // Count what the scheduler reports, and catch any flush made while a task step runs.
    let events = 0
    let inStep = false
    let flushesInStep = 0
    loop.addInstrument({
      taskCreated: () => void events++,
      taskStateChanged: () => void events++,
      taskDone: () => void events++,
      beforeTaskStep: () => void (inStep = true),
      afterTaskStep: () => void (inStep = false),
    })
    const flush = WriteBuffer.prototype.flush
    vi.spyOn(WriteBuffer.prototype, 'flush').mockImplementation(function (this: WriteBuffer) {
      if (inStep) flushesInStep++
      flush.call(this)
    })

    const remove = h.recorder(loop, runId)
    const n = 3000
    await loop.runUntilComplete(async () => {
      const tasks = Array.from({ length: n }, (_, i) =>
        createTask(async () => {
          await sleep(i % 7)
          await sleep(1)
        }, { name: `t${i}` }),
      )
      await gather(tasks)
    })
    h.endRun(runId, { outcome: 'done' })
    remove()

    const { transactions, taskRows } = h.stats()
    expect(events).toBeGreaterThan(4 * n)
    expect(rows(h, "SELECT count(*) AS n FROM tasks WHERE run_id = ? AND state = 'done'", runId)).toEqual([{ n: n + 1 }])
    expect(transactions).toBeGreaterThan(0)
    expect(transactions).toBeLessThanOrEqual(Math.ceil(events / 500))
    expect(taskRows / transactions).toBeGreaterThanOrEqual(100)
    expect(flushesInStep).toBe(0)
  })

  it('buffered rows are flushed by the timer without anyone asking', async () => {
    const h = open(undefined, { flushMs: 20 })
    const runId = h.startRun({ scenario: 'timer', clock: 'virtual' })
    h.log(runId, { t: 0, line: 'soon on disk', taskId: null, taskName: null, stream: 'stdout' })
    expect(rows(h, 'SELECT count(*) AS n FROM logs')).toEqual([{ n: 0 }])

    await new Promise((resolve) => setTimeout(resolve, 60))

    expect(rows(h, 'SELECT line FROM logs')).toEqual([{ line: 'soon on disk' }])
    expect(h.stats().transactions).toBe(1)
  })
})
