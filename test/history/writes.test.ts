import { describe, expect, it, vi } from 'vitest'
import {
  createTask, currentTask, EventLoop, gather, sleep, VirtualClock,
} from '../../src/main/runtime'
import type { Task } from '../../src/main/runtime'
import { HistoryError, InvalidHistoryInputError, InvalidRunIdError, RunNotFoundError } from '../../src/main/history'
import type { History } from '../../src/main/history'
import { closeNow, open, rows, tempDataDir } from './helpers'

/** Runs a small program with a done, a cancelled and a failed child, recorded into a new run. */
async function recordSampleRun(h: History) {
  const loop = new EventLoop({ clock: new VirtualClock() })
  const runId = h.startRun({ scenario: 'sample', params: { n: 3 }, clock: 'virtual' })
  const remove = h.recorder(loop, runId)
  const say = (line: string): void => {
    const t = currentTask()
    h.log(runId, { t: loop.time(), line, taskId: t?.id ?? null, taskName: t?.name ?? null, stream: 'stdout' })
  }
  const children: Record<string, Task<unknown>> = {}
  const main = loop.createTask(
    async () => {
      say('main: start')
      children.ok = createTask(async () => {
        await sleep(100)
        say('ok: done')
      }, { name: 'ok' })
      children.doomed = createTask(async () => {
        try {
          await sleep(10_000)
        } finally {
          say('doomed: cleanup')
        }
      }, { name: 'doomed' })
      children.broken = createTask(async () => {
        await sleep(50)
        throw new Error('boom')
      }, { name: 'broken' })
      loop.callLater(200, () => children.doomed?.cancel('enough'))
      await gather(Object.values(children), { returnExceptions: true })
      say('main: end')
    },
    { name: 'main' },
  )
  await loop.runUntilComplete(main)
  h.endRun(runId, { outcome: 'done' })
  remove()
  loop.close()
  return { runId, main, children }
}

describe('history writes', () => {
  it('a recorded run reads back with its tasks, parents, states, cancel reason, error and logs in order', async () => {
    const h = open()
    const { runId, main, children } = await recordSampleRun(h)

    const detail = h.getRun(runId)!
    expect(detail.run).toMatchObject({ runId, scenario: 'sample', params: { n: 3 }, clock: 'virtual', outcome: 'done', error: null })
    expect(detail.run.endedWall).toBeGreaterThanOrEqual(detail.run.startedWall)

    const byName = Object.fromEntries(detail.tasks.map((t) => [t.name, t]))
    expect(detail.tasks.map((t) => t.name)).toEqual(['main', 'ok', 'doomed', 'broken'])
    expect(byName.main).toMatchObject({ id: main.id, parentId: null, state: 'done', createdAt: 0, startedAt: 0, endedAt: 200 })
    expect(byName.ok).toMatchObject({ id: children.ok!.id, parentId: main.id, state: 'done', endedAt: 100, cancelSource: null, error: null })
    expect(byName.doomed).toMatchObject({ parentId: main.id, state: 'cancelled', endedAt: 200, cancelSource: 'user', cancelReason: 'enough', error: null })
    expect(byName.broken).toMatchObject({ parentId: main.id, state: 'failed', endedAt: 50 })
    expect(byName.broken?.error).toMatchObject({ name: 'Error', message: 'boom' })
    expect(byName.broken?.error?.stack).toMatch(/Error: boom\n\s+at /)

    expect(detail.logs.map((l) => [l.t, l.taskName, l.line])).toEqual([
      [0, 'main', 'main: start'],
      [100, 'ok', 'ok: done'],
      [200, 'doomed', 'doomed: cleanup'],
      [200, 'main', 'main: end'],
    ])
    expect(detail.logs[1]?.taskId).toBe(children.ok!.id)
  })

  it('records what the scenario reports as the run outcome and error', () => {
    const h = open()
    const runId = h.startRun({ scenario: 'run-non-coroutine', clock: { speed: 60 } })
    h.endRun(runId, { outcome: 'failed', error: { name: 'TypeError', message: 'a coroutine function was expected, got 42' } })

    expect(h.getRun(runId)?.run).toMatchObject({
      clock: { speed: 60 },
      params: {},
      outcome: 'failed',
      error: { name: 'TypeError', message: 'a coroutine function was expected, got 42', stack: null },
    })
  })

  it('lists runs newest first and pages with before', () => {
    const h = open()
    const ids = [1, 2, 3, 4, 5].map((n) => h.startRun({ scenario: `s${n}`, clock: 'virtual' }))
    h.log(ids[0]!, { t: 0, line: 'hello', taskId: null, taskName: null, stream: 'stdout' })

    expect(h.listRuns({ limit: 2 }).map((r) => r.runId)).toEqual([ids[4], ids[3]])
    expect(h.listRuns({ limit: 2, before: ids[3]! }).map((r) => r.runId)).toEqual([ids[2], ids[1]])
    expect(h.listRuns().find((r) => r.runId === ids[0])).toMatchObject({ logCount: 1, taskCount: 0, outcome: 'running' })
  })

  it('rejects bad ids and bad input with typed errors and writes nothing', () => {
    const h = open()
    const runId = h.startRun({ scenario: 'x', clock: 'virtual' })

    expect(() => h.getRun(0)).toThrow(InvalidRunIdError)
    expect(() => h.getRun('1' as unknown as number)).toThrow(InvalidRunIdError)
    expect(() => h.getRun(1.5)).toThrow(InvalidRunIdError)
    expect(h.getRun(runId + 100)).toBeNull()
    expect(() => h.endRun(runId + 100, { outcome: 'done' })).toThrow(RunNotFoundError)
    expect(() => h.recorder(new EventLoop(), runId + 100)).toThrow(RunNotFoundError)
    expect(() => h.startRun({ scenario: ' ', clock: 'virtual' })).toThrow(InvalidHistoryInputError)
    expect(() => h.startRun({ scenario: 'x', clock: 'hourglass' as 'virtual' })).toThrow(/clock/)
    expect(() => h.endRun(runId, { outcome: 'exploded' as 'done' })).toThrow(/outcome/)

    expect(() => h.log(runId + 100, { t: 0, line: 'lost', taskId: null, taskName: null, stream: 'stdout' })).toThrow(RunNotFoundError)
    expect(() => h.log(runId, { t: 0, line: 'x', taskId: null, taskName: null, stream: 'stdlog' as 'stdout' })).toThrow(/stream/)
    expect(() => h.log(runId, { t: Number.NaN, line: 'x', taskId: null, taskName: null, stream: 'stdout' })).toThrow(InvalidHistoryInputError)

    expect(rows(h, 'SELECT id, outcome FROM runs')).toEqual([{ id: runId, outcome: 'running' }])
    h.flush()
    expect(rows(h, 'SELECT count(*) AS n FROM logs')).toEqual([{ n: 0 }])

    h.endRun(runId, { outcome: 'done' })
    let again: unknown
    try {
      h.endRun(runId, { outcome: 'cancelled' })
    } catch (e) {
      again = e
    }
    expect(again).toBeInstanceOf(HistoryError)
    expect((again as HistoryError).code).toBe('run-already-ended')
    expect(h.getRun(runId)?.run.outcome).toBe('done')
  })

  it('closing the history marks its unfinished runs interrupted; ended runs keep their outcome', () => {
    const dir = tempDataDir()
    const h = open(dir)
    const ended = h.startRun({ scenario: 'a', clock: 'virtual' })
    h.endRun(ended, { outcome: 'done' })
    const unfinished = h.startRun({ scenario: 'b', clock: 'virtual' })
    closeNow(h)

    const again = open(dir)
    expect(again.getRun(ended)?.run.outcome).toBe('done')
    expect(again.getRun(unfinished)?.run).toMatchObject({ outcome: 'interrupted', error: { name: 'Interrupted' } })
  })

  it('a recorder left attached after close drops later rows quietly instead of retrying forever', async () => {
    const h = open(undefined, { flushMs: 5 })
    const loop = new EventLoop({ clock: new VirtualClock() })
    const runId = h.startRun({ scenario: 'late', clock: 'virtual' })
    h.recorder(loop, runId)
    const errors = vi.spyOn(console, 'error').mockImplementation(() => {})
    closeNow(h)

    await loop.runUntilComplete(async () => {
      await gather([createTask(() => sleep(10)), createTask(() => sleep(20))])
    })
    await new Promise((resolve) => setTimeout(resolve, 30))

    expect(errors).not.toHaveBeenCalled()
    errors.mockRestore()
  })

  it('two recorders on one run write each task once and do not fail the batch', async () => {
    const h = open()
    const loop = new EventLoop({ clock: new VirtualClock() })
    const runId = h.startRun({ scenario: 'twice', clock: 'virtual' })
    h.recorder(loop, runId)
    h.recorder(loop, runId)

    await loop.runUntilComplete(async () => {
      await gather(Array.from({ length: 100 }, (_, i) => createTask(() => sleep(i), { name: `t${i}` })))
    })

    const tasks = h.getRun(runId)!.tasks
    expect(tasks).toHaveLength(101)
    expect(tasks.filter((t) => t.state === 'done')).toHaveLength(101)
  })

  it('a second History on the same file leaves this process\'s live runs alone', () => {
    const dir = tempDataDir()
    const first = open(dir)
    const live = first.startRun({ scenario: 'live', clock: 'virtual' })

    const second = open(dir)

    expect(second.interruptedAtOpen).toEqual([])
    expect(second.getRun(live)?.run.outcome).toBe('running')
  })
})
