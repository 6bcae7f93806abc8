import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { CSV_COLUMNS, HistoryError, InvalidRunIdError, RunNotFoundError } from '../../src/main/history'
import type { ExportFormat, History } from '../../src/main/history'
import { createTask, currentTask, EventLoop, gather, sleep, VirtualClock } from '../../src/main/runtime'
import { open, tempDataDir } from './helpers'

const STACK = 'Error: bad\n    at here (x.ts:1:1)'

/** A run on the virtual clock: main (0–20 ms) starts ok (prints at 10, done) and bad (fails at 20). */
async function runWithTrickyText(h: History): Promise<{ runId: number; main: number; ok: number; bad: number }> {
  const loop = new EventLoop({ clock: new VirtualClock() })
  const runId = h.startRun({ scenario: 'export-me', params: { seed: 7 }, clock: 'virtual' })
  const remove = h.recorder(loop, runId)
  const ids = { main: 0, ok: 0, bad: 0 }
  const main = loop.createTask(async () => {
    ids.main = currentTask()!.id
    const ok = createTask(async () => {
      await sleep(10)
      h.log(runId, { t: loop.time(), line: 'say "hi", world', taskId: null, taskName: 'ok', stream: 'stdout' })
    }, { name: 'ok' })
    const bad = createTask(async () => {
      await sleep(20)
      const e = new Error('bad, "quoted"\nsecond line')
      e.stack = STACK
      throw e
    }, { name: 'bad' })
    ids.ok = ok.id
    ids.bad = bad.id
    await gather([ok, bad], { returnExceptions: true })
  }, { name: 'main' })
  await loop.runUntilComplete(main)
  h.log(runId, { t: loop.time(), line: 'to stderr', taskId: null, taskName: null, stream: 'stderr' })
  h.endRun(runId, { outcome: 'done' })
  remove()
  return { runId, ...ids }
}

describe('history export', () => {
  it('CSV export is exactly the header, one row per task (creation order) then one per log line, times in seconds with six decimals, quoted where needed', async () => {
    const h = open()
    const { runId: r, main, ok, bad } = await runWithTrickyText(h)

    const csv = await h.exportRun(r, 'csv')

    expect(csv).toBe(
      [
        'record,run_id,t_s,task_id,task_name,parent_id,created_s,started_s,ended_s,state,cancel_source,cancel_reason,error_name,error_message,stack,stream,line',
        `task,${r},0.000000,${main},main,,0.000000,0.000000,0.020000,done,,,,,,,`,
        `task,${r},0.000000,${ok},ok,${main},0.000000,0.000000,0.010000,done,,,,,,,`,
        `task,${r},0.000000,${bad},bad,${main},0.000000,0.000000,0.020000,failed,,,Error,"bad, ""quoted""\nsecond line","Error: bad\n    at here (x.ts:1:1)",,`,
        `log,${r},0.010000,,ok,,,,,,,,,,,stdout,"say ""hi"", world"`,
        `log,${r},0.020000,,,,,,,,,,,,,stderr,to stderr`,
        '',
      ].join('\n'),
    )
    expect(CSV_COLUMNS.join(',')).toBe(csv.split('\n')[0])
  })

  it('JSON export is exactly one document: format tag, the run, totals, its tasks and its log lines', async () => {
    const h = open()
    const { runId, main, ok, bad } = await runWithTrickyText(h)
    const { run } = h.getRun(runId)!

    const doc = JSON.parse(await h.exportRun(runId, 'json')) as unknown

    const task = (id: number, name: string, parentId: number | null, endedAt: number, state: string, error: unknown = null) => ({
      id, name, parentId, state, createdAt: 0, startedAt: 0, endedAt, cancelSource: null, cancelReason: null, error,
    })
    expect(doc).toEqual({
      format: 'loopwatch-run',
      version: 3,
      run: {
        runId, scenario: 'export-me', params: { seed: 7 }, clock: 'virtual', startedWall: run.startedWall,
        endedWall: run.endedWall, outcome: 'done', error: null, logsOmitted: 0, logsGapAt: null,
      },
      taskTotal: 3,
      logTotal: 2,
      tasks: [
        task(main, 'main', null, 20, 'done'),
        task(ok, 'ok', main, 10, 'done'),
        task(bad, 'bad', main, 20, 'failed', { name: 'Error', message: 'bad, "quoted"\nsecond line', stack: STACK }),
      ],
      logs: [
        { t: 10, taskId: null, taskName: 'ok', stream: 'stdout', line: 'say "hi", world' },
        { t: 20, taskId: null, taskName: null, stream: 'stderr', line: 'to stderr' },
      ],
      slowStepsOmitted: 0,
      slowSteps: [],
    })
    expect(typeof run.startedWall).toBe('number')
  })

  it('trace export is Chrome Trace Event JSON: the run a process, each task a named track with one slice to its end, each line an instant on its task', async () => {
    const h = open()
    const { runId, main, ok, bad } = await runWithTrickyText(h)

    const doc = JSON.parse(await h.exportRun(runId, 'trace')) as {
      displayTimeUnit: string
      otherData: Record<string, unknown>
      traceEvents: { name: string; ph: string; pid: number; tid: number; ts?: number; dur?: number; s?: string; cat?: string; args?: Record<string, unknown> }[]
    }

    expect(doc.displayTimeUnit).toBe('ms')
    expect(doc.otherData).toMatchObject({ format: 'loopwatch-trace', version: 1, runId, scenario: 'export-me', outcome: 'done', taskTotal: 3, logTotal: 2 })
    const ev = doc.traceEvents
    expect(ev.every((e) => e.pid === runId)).toBe(true)
    expect(ev.find((e) => e.name === 'process_name')?.args).toEqual({ name: `export-me #${runId}` })
    const track = (tid: number) => ev.find((e) => e.ph === 'M' && e.name === 'thread_name' && e.tid === tid)?.args?.['name']
    expect([track(main), track(ok), track(bad)]).toEqual([`main #${main}`, `ok #${ok}`, `bad #${bad}`])
    // One slice per task, on its own track, in µs of the loop clock: main 0–20 ms, ok 0–10, bad 0–20.
    const slices = ev.filter((e) => e.ph === 'X').map((e) => [e.tid, e.name, e.ts, e.dur, e.args?.['state']])
    expect(slices).toEqual([
      [main, 'main', 0, 20_000, 'done'],
      [ok, 'ok', 0, 10_000, 'done'],
      [bad, 'bad', 0, 20_000, 'failed'],
    ])
    expect(ev.find((e) => e.ph === 'X' && e.tid === bad)?.args).toMatchObject({ parentId: main, error: 'Error: bad, "quoted"\nsecond line' })
    // Lines: instants at their time, on the loop's track (tid 0) when no task id came with them.
    expect(ev.filter((e) => e.ph === 'i').map((e) => [e.tid, e.ts, e.cat, e.args?.['line'], e.s])).toEqual([
      [0, 10_000, 'stdout', 'say "hi", world', 't'],
      [0, 20_000, 'stderr', 'to stderr', 't'],
    ])
  })

  it('trace export: a task the run left unfinished is a begin with no end; a long line is clipped in the name, whole in args', async () => {
    const h = open()
    const loop = new EventLoop({ clock: new VirtualClock() })
    const runId = h.startRun({ scenario: 'cut-short', clock: 'virtual' })
    const remove = h.recorder(loop, runId)
    const long = 'x'.repeat(500)
    let stuck = 0
    await loop.runUntilComplete(async () => {
      const t = createTask(() => sleep(60_000), { name: 'stuck' })
      stuck = t.id
      await sleep(5)
      h.log(runId, { t: loop.time(), line: long, taskId: stuck, taskName: 'stuck', stream: 'stdout' })
    })
    h.endRun(runId, { outcome: 'interrupted' })
    remove()

    const ev = (JSON.parse(await h.exportRun(runId, 'trace')) as { traceEvents: { ph: string; tid: number; name: string; ts?: number; args?: Record<string, unknown> }[] }).traceEvents
    const slices = ev.filter((e) => e.tid === stuck && (e.ph === 'X' || e.ph === 'B'))
    expect(slices.map((e) => [e.ph, e.ts])).toEqual([['B', 0]])
    const line = ev.find((e) => e.ph === 'i')!
    expect(line.tid).toBe(stuck)
    expect(line.name).toHaveLength(120)
    expect(line.name.endsWith('…')).toBe(true)
    expect(line.args?.['line']).toBe(long)
  })

  it('streams a long run page by page: never one string, the file equal to the in-memory export', async () => {
    const h = open(tempDataDir(), { logLimits: { head: 10_000, tail: 10_000 } })
    const runId = h.startRun({ scenario: 'long', clock: 'virtual' })
    for (let i = 0; i < 12_000; i++) h.log(runId, { t: i, line: `line ${i}`, taskId: null, taskName: null, stream: 'stdout' })
    h.endRun(runId, { outcome: 'done' })

    for (const format of ['csv', 'json', 'trace'] as const) {
      const pieces: string[] = []
      for await (const p of h.exportPieces(runId, format)) pieces.push(p)
      // One piece per page of at most 2,000 log lines: the export is never built as one string.
      expect(pieces.length).toBeGreaterThanOrEqual(6)
      expect(Math.max(...pieces.map((p) => p.length))).toBeLessThan(2000 * 200)

      const path = join(tempDataDir(), `out.${format}`)
      const bytes = await h.exportRunToFile(runId, format, path)
      const text = await readFile(path, 'utf8')
      expect(text).toBe(pieces.join(''))
      expect(bytes).toBe(Buffer.byteLength(text))
    }
    const doc = JSON.parse(await h.exportRun(runId, 'json')) as { logs: { line: string }[]; logTotal: number }
    expect(doc.logTotal).toBe(12_000)
    expect(doc.logs.map((l) => l.line)).toEqual(Array.from({ length: 12_000 }, (_, i) => `line ${i}`))
  })

  it('the one-string export refuses a run larger than its bound with export-too-large', async () => {
    const h = open()
    const runId = h.startRun({ scenario: 'big', clock: 'virtual' })
    for (let i = 0; i < 500; i++) h.log(runId, { t: i, line: 'x'.repeat(100), taskId: null, taskName: null, stream: 'stdout' })
    h.endRun(runId, { outcome: 'done' })
    await expect(h.exportRun(runId, 'csv', 10_000)).rejects.toMatchObject({ code: 'export-too-large' })
    expect((await h.exportRun(runId, 'csv')).split('\n')).toHaveLength(502)
  })

  it('refuses a malformed id, an unknown run and an unknown format with typed errors', () => {
    const h = open()
    const runId = h.startRun({ scenario: 'x', clock: 'virtual' })

    expect(() => h.exportRun(-1, 'csv')).toThrow(InvalidRunIdError)
    expect(() => h.exportRun(Number.NaN, 'json')).toThrow(InvalidRunIdError)
    expect(() => h.exportRun(runId + 1, 'json')).toThrow(RunNotFoundError)
    let error: unknown
    try {
      void h.exportRun(runId, 'xml' as ExportFormat)
    } catch (e) {
      error = e
    }
    expect(error).toBeInstanceOf(HistoryError)
    expect((error as HistoryError).code).toBe('invalid-export-format')
  })
})
