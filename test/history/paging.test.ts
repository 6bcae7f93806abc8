import { describe, expect, it } from 'vitest'
import { AppCore } from '../../src/main/app/app-core'
import { createHandlers, dispatch } from '../../src/main/ipc/index'
import { createTask, EventLoop, gather, sleep, VirtualClock } from '../../src/main/runtime'
import type { History } from '../../src/main/history'
import { open, tempDataDir } from './helpers'

/** A run with 450 tasks and 1,200 log lines (under the cap: all stored). */
async function bigRun(h: History): Promise<number> {
  const loop = new EventLoop({ clock: new VirtualClock() })
  const runId = h.startRun({ scenario: 'many', clock: 'virtual' })
  const remove = h.recorder(loop, runId)
  const main = loop.createTask(async () => {
    await gather(Array.from({ length: 449 }, (_, i) => createTask(() => sleep(i), { name: `w${i}` })))
  }, { name: 'main' })
  await loop.runUntilComplete(main)
  for (let i = 0; i < 1200; i++) h.log(runId, { t: i, line: `line ${i}`, taskId: null, taskName: null, stream: 'stdout' })
  h.endRun(runId, { outcome: 'done' })
  remove()
  return runId
}

describe('history:get is paged', () => {
  it('returns one page of tasks and of logs with offsets and totals; the pages together are the whole run', async () => {
    const h = open()
    const runId = await bigRun(h)

    const first = h.getRun(runId)!
    expect(first).toMatchObject({ taskOffset: 0, taskTotal: 450, logOffset: 0, logTotal: 1200 })
    expect(first.tasks).toHaveLength(200)
    expect(first.logs).toHaveLength(500)

    const names: string[] = []
    for (let offset = 0; offset < 450; offset += 200) names.push(...h.getRun(runId, { taskOffset: offset })!.tasks.map((t) => t.name))
    expect(names).toEqual(['main', ...Array.from({ length: 449 }, (_, i) => `w${i}`)])
    const lines: string[] = []
    for (let offset = 0; offset < 1200; offset += 500) lines.push(...h.getRun(runId, { logOffset: offset })!.logs.map((l) => l.line))
    expect(lines).toEqual(Array.from({ length: 1200 }, (_, i) => `line ${i}`))
    expect(h.getRun(runId, { logOffset: 5000 })!.logs).toEqual([])
  })

  it('through the contract: pages by offset, and page sizes beyond the bounds are bad_request', async () => {
    const core = new AppCore({ dataDir: tempDataDir(), host: 'web' })
    const handlers = createHandlers(core)
    try {
      const runId = await bigRun(core.history)
      const page = await dispatch(handlers, 'history:get', { runId, taskOffset: 400, taskLimit: 100, logOffset: 1100, logLimit: 2000 })
      expect(page).toMatchObject({ ok: true, value: { taskOffset: 400, taskTotal: 450, logOffset: 1100, logTotal: 1200 } })
      const value = (page as { value: { tasks: unknown[]; logs: { line: string }[] } }).value
      expect(value.tasks).toHaveLength(50)
      expect(value.logs.map((l) => l.line)).toEqual(Array.from({ length: 100 }, (_, i) => `line ${1100 + i}`))
      for (const bad of [{ logLimit: 2001 }, { taskLimit: 0 }, { logOffset: -1 }, { taskOffset: 1.5 }, { extra: 1 }]) {
        expect(await dispatch(handlers, 'history:get', { runId, ...bad }, () => {})).toMatchObject({ ok: false, error: { code: 'bad_request' } })
      }
    } finally {
      await core.close(500)
    }
  })
})
