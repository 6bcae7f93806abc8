// The editor's main side through the dispatcher, on a real app core: validation, compile checks,
// real child processes that connect to the app's own hub, stops that end in a kill, the cap.
import { execFileSync, spawn } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { PROGRAM_LIMITS } from '../../src/shared/program-contract'
import type { ProgramRunInfo, ProgramStopReport } from '../../src/shared/program-contract'
import type { TaskDelta } from '../../src/shared/snapshots'
import { ProgramRuns } from '../../src/main/programs/program-runs'
import { openApp } from '../ipc/app-helper'
import { alive } from '../support/processes'


/** The editor's private temp directories now in the system's temp folder. */
const programDirs = () => readdirSync(tmpdir()).filter((d) => d.startsWith('loopwatch-program-')).map((d) => join(tmpdir(), d))

const LOOPER = `import { CancelledError, createTask, run, sleep } from 'loopwatch'
async function main(): Promise<void> {
  const t = createTask(async () => {
    try { for (;;) await sleep(100) } catch (e) { if (e instanceof CancelledError) console.log('looper: cleanup'); throw e }
  }, { name: 'looper' })
  await t
}
await run(main)
`
const BLOCKER = `import { run, sleep } from 'loopwatch'
await run(async () => { console.log('about to block'); await sleep(50); while (true) {} })
`

/** CPU time the process has used, in clock ticks (utime + stime of /proc/<pid>/stat). */
function cpuTicks(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
  return Number(fields[11]) + Number(fields[12])
}

describe('program:* validation', () => {
  it('refuses oversize text, a bad clock, a bad or unknown scenario id, a bad name — and starts nothing', async () => {
    const app = openApp()
    const big = 'x'.repeat(PROGRAM_LIMITS.maxSourceBytes + 1)
    for (const [channel, payload] of [
      ['program:check', { source: big }],
      ['program:run', { source: big, clock: 'virtual' }],
      // 90,000 three-byte characters: under the character bound, over the byte bound.
      ['program:run', { source: `//${'€'.repeat(90_000)}`, clock: 'virtual' }],
      ['program:run', { source: 'await 1', clock: 'fast' }],
      ['program:run', { source: 'await 1', clock: { speed: 0 } }],
      ['program:run', { source: 'await 1', clock: 'virtual', name: '../../etc/passwd' }],
      ['program:run', { source: 'await 1', clock: 'virtual', name: 'n'.repeat(PROGRAM_LIMITS.maxNameChars + 1) }],
      ['program:template', { scenarioId: '../package' }],
      ['program:template', { scenarioId: 'x', extra: 1 }],
      ['program:stop', { runKey: 0 }],
    ] as const) {
      const r = await app.call(channel, payload)
      expect(r, `${channel} ${JSON.stringify(payload).slice(0, 80)}`).toMatchObject({ ok: false, error: { code: 'bad_request' } })
    }
    expect(await app.call('program:template', { scenarioId: 'no-such-program' })).toMatchObject({ ok: false, error: { code: 'not_found' } })
    expect(await app.call('program:stop', { runKey: 99 })).toMatchObject({ ok: false, error: { code: 'not_found' } })
    expect(await app.ok('programs:list')).toEqual([])
  })

  it('program:template reads the course port from programs/course/<id>.ts, else the template with a comment', async () => {
    const app = openApp()
    const port = await app.ok('program:template', { scenarioId: 'graceful-cancel' })
    expect(port.origin).toBe('programs/course/graceful-cancel.ts')
    expect(port.source).toContain("from 'loopwatch'")
    const blank = await app.ok('program:template', { scenarioId: null })
    expect(blank.origin).toBe('programs/new-program.ts')
    const ids = (await app.ok('scenarios:list')).map((s) => s.id)
    const unported = ids.find((id) => id !== 'graceful-cancel')!
    const fallback = await app.ok('program:template', { scenarioId: unported })
    // Either its port exists (the ports branch merged) or the template says it has none.
    if (fallback.origin === 'programs/new-program.ts') expect(fallback.source.split('\n')[0]).toMatch(new RegExp(`^// ${unported} has no TypeScript port yet`))
    else expect(fallback.origin).toBe(`programs/course/${unported}.ts`)
  })
})

describe('program:check', () => {
  it('gives a syntax error at its 1-based line and column; a good program has none', async () => {
    const app = openApp()
    const diags = await app.ok('program:check', { source: "import { run } from 'loopwatch'\n\nconst x: = 1\n" })
    expect(diags).toHaveLength(1)
    expect(diags[0]).toMatchObject({ line: 3, col: 10, severity: 'error' })
    expect(diags[0]!.message).toMatch(/=/)
    expect(await app.ok('program:check', { source: LOOPER })).toEqual([])
    // Columns count characters, not UTF-8 bytes: "é" before the error moves it by one.
    const wide = await app.ok('program:check', { source: "const s = 'é'; const y: = 2" })
    expect(wide[0]).toMatchObject({ line: 1, col: 25 })
  })

  it('program:run refuses a program that does not compile and starts no child', async () => {
    const app = openApp()
    const r = await app.call('program:run', { source: 'const x: = 1', clock: 'virtual' })
    expect(r).toMatchObject({ ok: false, error: { code: 'bad_request', message: expect.stringMatching(/does not compile: program\.ts:1:10/) } })
    expect(await app.ok('programs:list')).toEqual([])
  })
})

describe('program:run', () => {
  it('runs the text as a real child that appears as a source, its history run keeps the text, and a stop ends it gracefully', async () => {
    const app = openApp()
    const before = new Set(programDirs())
    const run = await app.ok('program:run', { source: LOOPER, clock: { speed: 1 }, name: 'looper-program' })
    expect(run.pid).toBeGreaterThan(0)
    expect(run.pid).not.toBe(process.pid)
    expect(run.sourceId).toMatch(/^agent-\d+$/)
    const source = (await app.ok('sources:list')).find((s) => s.id === run.sourceId)!
    expect(source).toMatchObject({ name: 'looper-program', pid: run.pid, state: 'connected', clock: { kind: 'real' } })
    await app.until(() => [...app.view().values()].find((t) => t.name === 'looper' && t.state === 'waiting'), 10_000)
    // The text is a private temp file: its directory 0700, the file 0600.
    const mine = programDirs().filter((d) => !before.has(d))
    expect(mine).toHaveLength(1)
    for (const d of mine) {
      expect(statSync(d).mode & 0o777).toBe(0o700)
      expect(statSync(join(d, 'program.ts')).mode & 0o777).toBe(0o600)
    }
    const withRun = await app.until(() => app.core.programs.list().find((p) => p.runId !== null), 10_000)
    expect(await app.ok('program:ofRun', { runId: withRun.runId! })).toEqual({ runId: withRun.runId, name: 'looper-program', clock: { speed: 1 }, source: LOOPER })

    const report = await app.ok('source:stop', { sourceId: run.sourceId!, graceMs: 2000 })
    expect(report).toMatchObject({ how: 'graceful', cleanupErrors: [] })
    expect(report.finished.map((f) => f.name)).toContain('looper')
    await app.until(() => !alive(run.pid!), 5000)
    const ended = (await app.ok('programs:list')).find((p) => p.runKey === run.runKey)!
    expect(ended).toMatchObject({ state: 'exited', stoppedHow: 'graceful' })
    await app.until(() => mine.every((d) => statSync(d, { throwIfNoEntry: false }) === undefined)) // removed once it exited
    await app.until(() => [...app.view().values()].find((t) => t.name === 'looper' && t.state === 'cancelled'))
  }, 30_000)

  it('a child blocked in `while (true) {}` is killed after grace + margin, and the report and its history run say so; no orphan', async () => {
    const app = openApp()
    const run = await app.ok('program:run', { source: BLOCKER, clock: { speed: 1 }, name: 'blocker' })
    expect(run.sourceId).not.toBeNull()
    const pid = run.pid!
    // Its thread is blocked: it printed, and then burns half a second of CPU (its sleep is 50 ms).
    await app.until(() => app.events.some((e) => e.event === 'tasks:delta' && (e.payload as TaskDelta).logs.some((l) => l.line === 'about to block')), 10_000)
    const ticks = cpuTicks(pid)
    await app.until(() => cpuTicks(pid) >= ticks + 50, 10_000)
    // The app's own loop still answers at once.
    const t0 = performance.now()
    const snap = await app.ok('app:snapshot')
    expect(performance.now() - t0).toBeLessThan(1000)
    expect(snap.sources?.some((s) => s.pid === pid)).toBe(true)

    const report = (await app.ok('source:stop', { sourceId: run.sourceId!, graceMs: 300 })) as ProgramStopReport
    expect(report.how).toBe('killed')
    expect(report.cleanupErrors[0]!.message).toMatch(/killed \(SIGKILL\)/)
    expect(alive(pid)).toBe(false)
    expect(() => execFileSync('ps', ['-p', String(pid)])).toThrow() // ps exits 1: no such process
    const ended = (await app.ok('programs:list')).find((p) => p.runKey === run.runKey)!
    expect(ended).toMatchObject({ state: 'killed', stoppedHow: 'killed', exit: { signal: 'SIGKILL' } })
    // Its history run reads as the app's kill (cancelled, killed after its grace), not as a lost connection.
    expect(ended.runId).not.toBeNull()
    const stored = await app.until(() => {
      const r = app.core.history.getRun(ended.runId!)?.run
      return r && r.outcome !== 'running' ? r : undefined
    }, 10_000)
    expect(stored).toMatchObject({ scenario: 'agent:blocker', outcome: 'cancelled', error: { name: 'KilledByApp' } })
    expect(stored.error!.message).toBe(`blocker (pid ${pid}) was killed (SIGKILL) by the app after its 300 ms grace (+1000 ms): it had not ended`)
  }, 30_000)

  it('stops a child whose agent never connected: SIGTERM stops it gracefully, or SIGKILL past the grace when it is blocked', async () => {
    // A hub address where nothing listens: the agent keeps retrying, the program runs unwatched.
    const programs = new ProgramRuns({
      hubUrl: async () => 'tcp://127.0.0.1:9?token=nobody-listens',
      sources: { stop: () => Promise.reject(new Error('no source to stop')) },
      saveProgram: () => {},
      onChange: () => {},
      connectWaitMs: 1500,
      killMarginMs: 500,
    })
    try {
      const looper = await programs.start({ source: LOOPER, clock: { speed: 1 }, name: 'unwatched' })
      expect(looper).toMatchObject({ sourceId: null, state: 'starting' })
      expect(await programs.stop(looper.runKey, 2000)).toMatchObject({ how: 'graceful' })
      expect(alive(looper.pid!)).toBe(false)

      // It marks the moment its thread blocks, so the stop below cannot arrive before the block (a
      // child still starting would stop gracefully on SIGTERM).
      const mark = join(mkdtempSync(join(tmpdir(), 'lw-block-')), 'blocked')
      const blocked = await programs.start({ source: `import { writeFileSync } from 'node:fs'\nwriteFileSync(${JSON.stringify(mark)}, 'x')\nwhile (true) {}\n`, clock: 'virtual', name: 'unwatched-blocked' })
      await poll(() => existsSync(mark) || null, 20_000)
      expect(alive(blocked.pid!)).toBe(true)
      const report = await programs.stop(blocked.runKey, 200)
      expect(report.how).toBe('killed')
      expect(report.cleanupErrors[0]!.message).toMatch(/killed \(SIGKILL\)/)
      expect(alive(blocked.pid!)).toBe(false)
      rmSync(join(mark, '..'), { recursive: true, force: true })
      expect(await programs.stop(blocked.runKey)).toMatchObject({ how: 'already-ended' })
      expect(programs.list().find((p) => p.runKey === blocked.runKey)).toMatchObject({ state: 'killed', exit: { signal: 'SIGKILL' } })
    } finally {
      await programs.close()
    }
  }, 30_000)

  it('caps the editor children running at once with a typed busy error', async () => {
    const app = openApp()
    const max = PROGRAM_LIMITS.maxRunning
    const runs: ProgramRunInfo[] = []
    for (let i = 0; i < max; i++) runs.push(await app.ok('program:run', { source: LOOPER, clock: { speed: 1 }, name: `p${i}` }))
    expect(new Set(runs.map((r) => r.pid)).size).toBe(max)
    const over = await app.call('program:run', { source: LOOPER, clock: { speed: 1 }, name: 'one-too-many' })
    expect(over).toMatchObject({ ok: false, error: { code: 'busy' } })
    expect((await app.ok('programs:list')).length).toBe(max)
    // The app's close stops every child (listed in its report) and leaves none behind.
    const report = await app.core.close(1000)
    expect(report.parts.filter((p) => p.title.includes('editor')).length).toBe(max)
    for (const r of runs) expect(alive(r.pid!)).toBe(false)
  }, 60_000)
})

describe('no orphans', () => {
  for (const kind of ['looping', 'blocked'] as const) {
    it(`an editor child (${kind}) dies with its app even when the app is killed (SIGKILL) and cannot stop it`, async () => {
      const before = new Set(programDirs())
      const app = spawn(process.execPath, ['--import', 'tsx', 'test/programs/fixtures/app-that-dies.ts', kind], { stdio: ['ignore', 'pipe', 'inherit'] })
      let out = ''
      app.stdout.setEncoding('utf8').on('data', (c: string) => (out += c))
      try {
        const pid = await poll(() => Number(/child (\d+)/.exec(out)?.[1]) || null, 20_000)
        expect(alive(pid)).toBe(true)
        if (kind === 'blocked') {
          const ticks = cpuTicks(pid)
          await poll(() => cpuTicks(pid) >= ticks + 50 || null, 10_000) // really blocked
        }
        app.kill('SIGKILL')
        await poll(() => !alive(pid) || null, 10_000)
        expect(alive(pid)).toBe(false)
      } finally {
        app.kill('SIGKILL')
        const dataDir = / data (\S+)/.exec(out)?.[1]
        if (dataDir) rmSync(dataDir, { recursive: true, force: true })
        // A killed app cannot remove its program's temp file: the test does.
        for (const d of programDirs()) if (!before.has(d)) rmSync(d, { recursive: true, force: true })
      }
    }, 40_000)
  }
})

/** Polls `check` every 20 ms until it gives a value (not null), failing after `ms`. */
async function poll<T>(check: () => T | null, ms: number): Promise<T> {
  const end = Date.now() + ms
  for (;;) {
    const v = check()
    if (v !== null) return v
    if (Date.now() > end) throw new Error('condition not met in time')
    await new Promise((r) => setTimeout(r, 20))
  }
}
