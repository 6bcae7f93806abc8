// The course programs as plain user programs (programs/course/<id>.ts), run as a learner runs them —
// `loopwatch run <file> --virtual --json --no-app`, real child processes — and held to CPython's
// trace (shared/oracle, through compare.py) and to the scenario each one ports (same lines, same
// times, same order). Plus: one port per scenario and no other, and programs/course/index.json.
import { spawn, spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync, existsSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { scenarios } from '../../src/main/scenarios/index'
import courseIndex from '../../programs/course/index.json'
import { compareTrace, oracleDir, repoRoot, runScenario, virtualTrace } from '../scenarios/helpers'

const COURSE = join(repoRoot, 'programs/course')
const BIN = join(repoRoot, 'bin/loopwatch.mjs')
/** Generous: a child compiles its TypeScript with tsx, and the machine's two cores are shared. */
const TIMEOUT = 120_000
const ids = scenarios.map((s) => s.id)
const dir = mkdtempSync(join(tmpdir(), 'lw-ports-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

/** At most two children at a time (two cores); the rest wait their turn. */
const slots = { free: 2, queue: [] as (() => void)[] }
async function inSlot<T>(work: () => Promise<T>): Promise<T> {
  if (slots.free > 0) slots.free--
  else await new Promise<void>((go) => slots.queue.push(go))
  try {
    return await work()
  } finally {
    const next = slots.queue.shift()
    if (next) next()
    else slots.free++
  }
}

/** `loopwatch run <file> --virtual --json --no-app` as a child process, to its end. */
function loopwatchRun(file: string, env: Record<string, string> = {}): Promise<{ status: number | null; out: string; err: string }> {
  return inSlot(
    () =>
      new Promise((done, fail) => {
        const child = spawn(process.execPath, [BIN, 'run', file, '--virtual', '--json', '--no-app'], {
          cwd: repoRoot,
          env: { ...process.env, LOOPWATCH_APP: '', ...env },
        })
        let out = ''
        let err = ''
        child.stdout.setEncoding('utf8').on('data', (c: string) => void (out += c))
        child.stderr.setEncoding('utf8').on('data', (c: string) => void (err += c))
        child.on('error', fail)
        child.on('close', (status) => done({ status, out, err }))
      }),
  )
}

interface OracleRecord {
  t: number
  line?: string
  stderr?: string
  exit?: number
}
/**
 * The task events of a --json trace (`{"t","event":"task","id","name","state"}`) as `t id name state`,
 * ids counted from the run's first task (a scenario run in this process does not start at 1), and
 * an unnamed task's default name `Task-<id>` renumbered likewise.
 */
function taskEvents(trace: string): string[] {
  const events = trace.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as Record<string, unknown>).filter((r) => r.event === 'task')
  const first = Math.min(...events.map((e) => e.id as number))
  const rel = (n: number) => n - first + 1
  return events.map((e) => `${e.t} #${rel(e.id as number)} ${String(e.name).replace(/^Task-(\d+)$/, (_m, n: string) => `Task-${rel(Number(n))}`)} ${e.state}`)
}

const oracleFile = (id: string) => join(oracleDir, 'traces', `${id}.jsonl`)
const oracle = (id: string): OracleRecord[] =>
  readFileSync(oracleFile(id), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as OracleRecord)

// Each scenario's own trace (`loopwatch scenario <id> --virtual --json`, printed in process by the
// CLI's printer), one after another: two scenario runs must never share the process's running loop.
const scenarioTraceFile = new Map<string, string>()
beforeAll(async () => {
  for (const id of ids) {
    const file = join(dir, `${id}.scenario.jsonl`)
    writeFileSync(file, await virtualTrace(id, {}))
    scenarioTraceFile.set(id, file)
  }
}, TIMEOUT)

describe('programs/course: one plain user program per course scenario', () => {
  it('every scenario id has programs/course/<id>.ts, and every .ts there is a scenario id', () => {
    const files = readdirSync(COURSE).filter((f) => f.endsWith('.ts')).map((f) => f.slice(0, -3)).sort()
    expect(files).toEqual([...ids].sort())
  })

  it('programs/course/index.json lists the scenarios in course order, with their titles, sections and files', () => {
    expect(Object.keys(courseIndex)).toEqual(ids)
    expect(courseIndex).toEqual(Object.fromEntries(scenarios.map((s) => [s.id, { title: s.title, section: s.section, file: `${s.id}.ts` }])))
    for (const { file } of Object.values(courseIndex)) expect(existsSync(join(COURSE, file))).toBe(true)
  })

  it('each port opens with a comment naming its course program and imports the runtime as `loopwatch`', () => {
    for (const id of ids) {
      const text = readFileSync(join(COURSE, `${id}.ts`), 'utf8')
      expect(text.startsWith(`// Course program "${id}"`), id).toBe(true)
      expect(text, id).toMatch(/^import \{[^}]+\} from 'loopwatch'$/m)
      expect(text, id).not.toMatch(/from '\.\.?\//) // self-contained: nothing of the repo but the runtime
    }
  })

  it('the ports and programs/new-program.ts type-check (programs/tsconfig.json, strict)', { timeout: TIMEOUT }, () => {
    const r = spawnSync(process.execPath, [join(repoRoot, 'node_modules/typescript/bin/tsc'), '--noEmit', '-p', join(repoRoot, 'programs/tsconfig.json')], {
      cwd: repoRoot,
      encoding: 'utf8',
      timeout: TIMEOUT,
    })
    expect(`${r.stdout}${r.stderr}`).toBe('')
    expect(r.status).toBe(0)
  })
})

describe('programs/new-program.ts, the template of "New program"', () => {
  it('is at most 30 lines; its three tasks run, and stopped, the looping one prints its cleanup line (exit 130)', { timeout: TIMEOUT }, async () => {
    const file = join(repoRoot, 'programs/new-program.ts')
    expect(readFileSync(file, 'utf8').trimEnd().split('\n').length).toBeLessThanOrEqual(30)
    const child = spawn(process.execPath, [BIN, 'run', file, '--speed', '50', '--no-app'], { cwd: repoRoot, env: { ...process.env, LOOPWATCH_APP: '' } })
    let out = ''
    child.stdout.setEncoding('utf8').on('data', (c: string) => void (out += c))
    const closed = new Promise<number | null>((done) => child.on('close', done))
    const started = Date.now()
    while (!out.includes('fetch: done') && Date.now() - started < 60_000) await new Promise((r) => setTimeout(r, 50))
    child.kill('SIGTERM')
    expect(await closed).toBe(130)
    const lines = out.trim().split('\n')
    expect(lines.slice(0, 2)).toEqual(['tick 1', 'tick 2'])
    expect(lines).toContain('report: done after 3000 ms')
    expect(lines).toContain('fetch: done after 5000 ms')
    expect(lines.at(-1)).toBe('ticker: cleaned up')
  })
})

describe.concurrent('programs/course/<id>.ts under `loopwatch run --virtual --json`', () => {
  for (const id of ids) {
    it(`${id}: prints what CPython prints (compare.py) and what its scenario prints, with the scenario's tasks, and exits as CPython does`, { timeout: TIMEOUT }, async () => {
      // users-csv writes its CSV into os.tmpdir(): a folder of its own (others keep tsx's warm cache)
      const tmp = id === 'users-csv' ? mkdtempSync(join(dir, `${id}-`)) : null
      const r = await loopwatchRun(join(COURSE, `${id}.ts`), tmp ? { TMPDIR: tmp } : {})

      // CPython's trace where the oracle has one; else the scenario's own is the reference.
      if (existsSync(oracleFile(id))) {
        const cpython = compareTrace(oracleFile(id), r.out)
        expect(cpython.report).toMatch(/^OK /m)
        expect(cpython.status).toBe(0)
        const records = oracle(id)
        expect(r.status).toBe(records.find((rec) => rec.exit !== undefined)?.exit)
        if (r.status === 0) {
          // What CPython writes to stderr (a RuntimeWarning), and nothing else.
          expect(r.err.split('\n').filter(Boolean)).toEqual(records.flatMap((rec) => (rec.stderr === undefined ? [] : [rec.stderr])))
        } else {
          expect(r.err).toMatch(/^loopwatch run: the program threw /m)
        }
      }
      const scenarioFile = scenarioTraceFile.get(id)!
      const scenario = compareTrace(scenarioFile, r.out)
      expect(scenario.report).toMatch(/^OK /m)
      expect(scenario.status).toBe(0)
      const scenarioExit = readFileSync(scenarioFile, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as OracleRecord).find((rec) => rec.exit !== undefined)
      expect(r.status).toBe(scenarioExit?.exit)
      // The same tasks, named alike, through the same states at the same times.
      expect(taskEvents(r.out)).toEqual(taskEvents(readFileSync(scenarioFile, 'utf8')))

      if (id === 'users-csv') {
        // The same seeded Faker rows as the scenario's CSV, byte for byte (\r\n rows).
        const ran = await runScenario(id)
        try {
          expect(readFileSync(join(tmp!, 'users.csv'), 'utf8')).toBe(readFileSync(join(ran.outDir, 'users.csv'), 'utf8'))
        } finally {
          ran.remove()
        }
      }
    })
  }
})
