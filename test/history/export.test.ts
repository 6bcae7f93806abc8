import { describe, expect, it } from 'vitest'
import { CSV_COLUMNS, HistoryError, InvalidRunIdError, RunNotFoundError } from '../../src/main/history'
import type { ExportFormat, History } from '../../src/main/history'
import { createTask, EventLoop, gather, sleep, VirtualClock } from '../../src/main/runtime'
import { open } from './helpers'

async function runWithTrickyText(h: History): Promise<number> {
  const loop = new EventLoop({ clock: new VirtualClock() })
  const runId = h.startRun({ scenario: 'export-me', params: { seed: 7 }, clock: 'virtual' })
  const remove = h.recorder(loop, runId)
  await loop.runUntilComplete(async () => {
    const ok = createTask(async () => {
      await sleep(10)
      h.log(runId, { t: loop.time(), line: 'say "hi", world', taskId: null, taskName: 'ok', stream: 'stdout' })
    }, { name: 'ok' })
    const bad = createTask(async () => {
      await sleep(20)
      throw new Error('bad, "quoted"\nsecond line')
    }, { name: 'bad' })
    await gather([ok, bad], { returnExceptions: true })
  })
  h.log(runId, { t: loop.time(), line: 'to stderr', taskId: null, taskName: null, stream: 'stderr' })
  h.endRun(runId, { outcome: 'done' })
  remove()
  return runId
}

describe('history export', () => {
  it('JSON export is one document with the run, its tasks and its logs, as getRun returns them', async () => {
    const h = open()
    const runId = await runWithTrickyText(h)

    const doc = JSON.parse(h.exportRun(runId, 'json')) as Record<string, unknown>

    expect(doc).toEqual({ format: 'loopwatch-run', version: 1, ...JSON.parse(JSON.stringify(h.getRun(runId))) })
    expect((doc.tasks as unknown[]).length).toBe(3)
    expect((doc.logs as unknown[]).length).toBe(2)
  })

  it('CSV export has a header, one record per task then per log line, and quotes commas, quotes and newlines', async () => {
    const h = open()
    const runId = await runWithTrickyText(h)
    const detail = h.getRun(runId)!

    const csv = h.exportRun(runId, 'csv')
    const lines = csv.split('\n')

    expect(lines[0]).toBe(CSV_COLUMNS.join(','))
    const records = lines.filter((l) => /^(task|log),/.test(l))
    expect(records.map((l) => l.split(',')[0])).toEqual([...detail.tasks.map(() => 'task'), ...detail.logs.map(() => 'log')])
    expect(csv).toContain('"say ""hi"", world"')
    expect(csv).toContain('"bad, ""quoted""\nsecond line"')
    expect(records.at(-1)).toMatch(/^log,\d+,20,,,,,,,,,,,,,stderr,to stderr$/)
  })

  it('refuses a malformed id, an unknown run and an unknown format with typed errors', () => {
    const h = open()
    const runId = h.startRun({ scenario: 'x', clock: 'virtual' })

    expect(() => h.exportRun(-1, 'csv')).toThrow(InvalidRunIdError)
    expect(() => h.exportRun(Number.NaN, 'json')).toThrow(InvalidRunIdError)
    expect(() => h.exportRun(runId + 1, 'json')).toThrow(RunNotFoundError)
    let error: unknown
    try {
      h.exportRun(runId, 'xml' as ExportFormat)
    } catch (e) {
      error = e
    }
    expect(error).toBeInstanceOf(HistoryError)
    expect((error as HistoryError).code).toBe('invalid-export-format')
  })
})
