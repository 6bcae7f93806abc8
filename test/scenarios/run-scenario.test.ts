import { describe, expect, it, vi } from 'vitest'
import { createScenarioRun, getScenario } from '../../src/main/scenarios/index'
import { runScenario, tempDir } from './helpers'

describe('createScenarioRun', () => {
  it('attributes each printed line to the task that printed it', async () => {
    const run = await runScenario('workers-heartbeat', { iterations: 1 })
    run.remove()
    expect(run.records.map((r) => [r.taskName, r.line])).toEqual([
      ['main', 'main msg'],
      ['worker-1', 'worker-1 msg'],
      ['worker-2', 'worker-2 msg'],
      ['worker-3', 'worker-3 msg'],
    ])
    expect(new Set(run.records.map((r) => r.taskId)).size).toBe(4)
  })

  it("shows run-non-coroutine's misuse error as a failed outcome and a traceback line, not a crash", async () => {
    const run = await runScenario('run-non-coroutine')
    run.remove()
    expect(run.result).toMatchObject({ outcome: 'failed', error: { name: 'TypeError' } })
    expect(run.records).toEqual([
      expect.objectContaining({
        t: 0,
        stream: 'stderr',
        kind: 'traceback',
        line: expect.stringMatching(/^TypeError: a coroutine function was expected, got undefined/),
      }),
    ])
  })

  it('records the never-awaited coroutine of async-context-manager as a stderr warning at 1 s', async () => {
    const run = await runScenario('async-context-manager')
    run.remove()
    expect(run.result).toMatchObject({ outcome: 'done', elapsed: 3000 })
    expect(run.records.map((r) => [r.t, r.kind, r.line])).toEqual([
      [0, 'print', '0.0: __aenter__'],
      [1000, 'print', '1.0: __aexit__'],
      [1000, 'warning', "RuntimeWarning: coroutine 'action' was never awaited"],
    ])
  })

  it('ends an endless daemon when stopped, with every task cancelled and the run cancelled', async () => {
    const dir = tempDir()
    const run = createScenarioRun(getScenario('stats-daemon')!, { iterations: null, interval: 1000 }, { clock: 'virtual', outDir: dir.path })
    const lines: string[] = []
    run.onRecord((r) => {
      lines.push(r.line)
      if (lines.length === 3) void run.stop(100)
    })
    const result = await run.start()
    dir.remove()
    expect(result.outcome).toBe('cancelled')
    expect(lines).toEqual(['1.0: stat', '2.0: stat', '3.0: stat'])
  })

  it('stats-daemon as written (the missing "import time"): the worker dies with NameError, nothing prints, and the stop reports it never retrieved on stderr', async () => {
    const dir = tempDir()
    let failed!: () => void
    const workerFailed = new Promise<void>((resolve) => (failed = resolve))
    const run = createScenarioRun(
      getScenario('stats-daemon')!,
      { iterations: null, interval: 1000, asWritten: true },
      { clock: 'virtual', outDir: dir.path, instruments: [{ taskDone: (t) => t.name === 'worker' && t.state === 'failed' && failed() }] },
    )
    const records: string[] = []
    run.onRecord((r) => records.push(`${r.t} ${r.stream} ${r.kind} ${r.line}`))
    const started = run.start()
    await workerFailed
    const report = await run.stop(100)
    const result = await started
    dir.remove()
    expect(report.forced).toEqual([])
    expect(result.outcome).toBe('cancelled')
    expect(records).toEqual([`1000 stderr warning Task exception was never retrieved: task worker: NameError: name 'time' is not defined`])
  })

  it('lets callers observe the loop before the run starts', async () => {
    const dir = tempDir()
    const run = createScenarioRun(getScenario('graceful-cancel')!, {}, { clock: 'virtual', outDir: dir.path })
    const cancelled: string[] = []
    run.loop.addInstrument({ taskStateChanged: (task, _from, to) => void (to === 'cancelled' && cancelled.push(task.name)) })
    const result = await run.start()
    dir.remove()
    expect(result.outcome).toBe('done')
    expect(cancelled).toEqual([])
  })

  it('stop() during a live run lets the cancelled task finish its cleanup, and the run ends cancelled without a loop error', async () => {
    // Real time at 100×: stop() has to land while the program is running, which the virtual clock skips past.
    const dir = tempDir()
    const run = createScenarioRun(getScenario('graceful-cancel')!, { cancelAfter: 60_000 }, { clock: { speed: 100 }, outDir: dir.path })
    const lines: string[] = []
    run.onRecord((r) => lines.push(r.line))
    const started = run.start()
    await vi.waitFor(() => expect(lines).toContain('operation new round'))
    const report = await run.stop(5000)
    const result = await started
    dir.remove()
    expect(lines.slice(-2)).toEqual(['operation was cancelled', 'operation done'])
    expect(report.forced).toEqual([])
    expect(report.finished.map((f) => [f.name, f.state])).toEqual([
      ['db_operation', 'done'],
      ['main', 'cancelled'],
    ])
    expect(result.outcome).toBe('cancelled')
    expect(result.error?.name).toBe('CancelledError')
  })

  it('stop(200) of graceful-cancel at speed 0.01 gives 200 real ms of grace, not 20 s (its 1 s cleanup is 100 s of real time)', async () => {
    const dir = tempDir()
    const run = createScenarioRun(getScenario('graceful-cancel')!, { cancelAfter: 60_000 }, { clock: { speed: 0.01 }, outDir: dir.path })
    const lines: string[] = []
    run.onRecord((r) => lines.push(r.line))
    const started = run.start()
    await vi.waitFor(() => expect(lines).toContain('operation new round'))
    const t0 = performance.now()
    const report = await run.stop(200)
    const took = performance.now() - t0
    await started
    dir.remove()
    expect(lines.at(-1)).toBe('operation was cancelled') // its cleanup sleep was cut short
    expect(report.forced.map((f) => f.name)).toEqual(['db_operation'])
    expect(took).toBeGreaterThanOrEqual(190)
    expect(took).toBeLessThan(2000)
  })

  it('refuses a clock speed that is not a positive number', () => {
    expect(() => createScenarioRun(getScenario('awaitables')!, {}, { clock: { speed: 0 }, outDir: '/nonexistent' })).toThrow(RangeError)
  })
})

describe('record listeners', () => {
  it("are removed when they throw, without failing the program or other listeners", async () => {
    const dir = tempDir()
    const run = createScenarioRun(getScenario('awaitables')!, {}, { clock: 'virtual', outDir: dir.path })
    const seen: string[] = []
    const quiet = vi.spyOn(console, 'error').mockImplementation(() => {})
    run.onRecord(() => {
      throw new Error('observer bug')
    })
    run.onRecord((r) => seen.push(r.line))
    const result = await run.start()
    quiet.mockRestore()
    dir.remove()
    expect(result.outcome).toBe('done')
    expect(seen).toEqual(['awaited coro()', 'awaited task'])
  })
})
