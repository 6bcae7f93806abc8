// Done-when of issue 10: every course program, run as the course's Python under the agent on the
// virtual clock and as its TypeScript port (the scenario CLI, `loopwatch scenario <id> --json
// --virtual`, in-process) with the same delays, has the same task table — names, final states,
// cancel sources — and prints the same lines in the same order at the same times.
//
// Names, states and lines come from the `--json` records both CLIs print. Cancel sources are in
// neither CLI's records, so they are read where each side keeps them: the TypeScript task's
// cancelRequest() (a loop instrument) and the agent's protocol snapshots (a real hub). The
// differences that are the course's own are pinned per program below, each with its reason.
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { runScenarioCli } from '../../src/main/cli/run-cli'
import type { Task } from '../../src/main/runtime/index'
import { courseSources } from '../../src/main/scenarios/sources.generated'
import { appUrl } from '../../src/shared/agent-protocol/index'
import { eventually, startHub } from '../hub/hub-helper'
import { DEBIAN_PYTHON, missingModules, records, runAgent } from './python-helper'

const dirs: string[] = []
afterAll(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true })
})

/** One row of a task table: a task in creation order. */
interface Row {
  name: string
  state: string
  cancel: string | null
}

/** One printed line: when, by which task (its table name), what. */
type Line = [t: number, task: string | null, line: string]

interface Table {
  tasks: Row[]
  /** The tasks' ids, row by row (the agent's --json and its snapshots share them). */
  ids: number[]
  lines: Line[]
  /** The printing task's id, line by line. */
  lineIds: (number | null)[]
  /** The traceback's last line, when the program died of an exception. */
  error: string | null
  exit: number
}

interface Case {
  /** The course program (default: the case's key). */
  id?: string
  /** The port's params; the course's random.randint(1, 5) returns `delays` / 1000 in turn. */
  params?: Record<string, unknown>
  /** Both runs stop gracefully at this virtual ms (the course's endless loops). */
  stopAt?: number
  /** The course's text, made runnable on 3.11 as the port was (see AS_WRITTEN for the text as is). */
  fix?: (code: string) => string
  needs?: string[]
  // ---- the course's own differences, pinned ----
  /** Python's name of a task → the port's names of the tasks so named, in creation order. */
  names?: Record<string, string[]>
  /** Tasks only CPython 3.11 has, as they end (taken out of the Python table before comparing). */
  pythonOnly?: Row[]
  /** A port task's fields that differ from the Python task of that name: `port` there, `python` here. */
  portDiffers?: Record<string, { port: Partial<Row>; python: Partial<Row> }>
  /** Lines only the port prints (it prints where the course prints nothing). */
  portOnlyLines?: Line[]
  /** Traceback last lines that say the same thing in each language's words. */
  errors?: { python: string; port: string }
  /** Line texts printed at one time in a set's iteration order: compared as a multiset there. */
  setOrder?: RegExp
  why: string
}

// The agent names a task asyncio named itself (Task-3) after its coroutine; the port's runtime
// keeps asyncio's Task-N, and some ports name their tasks as the course does not.
const GATHER_NAMES = ['Task-2', 'Task-3', 'Task-4', 'Task-5', 'Task-6']
const TASKS_FOR_WAIT = (code: string) => code.replace('[random_sleep(i) for i in range(1, 6)]', '[asyncio.ensure_future(random_sleep(i)) for i in range(1, 6)]')

const CASES: Record<string, Case> = {
  'run-non-coroutine': {
    errors: { python: 'ValueError: a coroutine was expected, got None', port: 'TypeError: a coroutine function was expected, got undefined' },
    why: 'no task at all; asyncio.run(None) fails, in each language its own words',
  },
  'users-csv': {
    needs: ['faker'],
    names: { request_users_data: ['request-1', 'request-2', 'request-3', 'request-4', 'request-5', 'request-6', 'request-7', 'request-8', 'request-9', 'request-10'] },
    portOnlyLines: [[0, null, 'wrote header'], ...[1, 2, 3, 4, 5, 6, 7, 8, 9, 10].map((i): Line => [i * 500, null, `wrote id=${i}`])],
    why: 'the course prints nothing (it writes out.csv); the port says what it wrote and names its requests',
  },
  'stats-daemon': {
    fix: (code) => `import time\n${code}`,
    params: { iterations: null },
    stopAt: 180_500,
    why: 'the course forgot `import time`; run_forever never ends, so both are stopped after three stats',
  },
  'stats-daemon-run': {
    fix: (code) => `import time\n${code}`,
    params: { iterations: null },
    stopAt: 180_500,
    why: 'the course forgot `import time`; its while True never ends, so both are stopped after three stats',
  },
  'stats-daemon, as written': {
    id: 'stats-daemon',
    params: { iterations: null, asWritten: true },
    stopAt: 200_000,
    why: "without `import time` the worker dies of NameError at 60 s, and the loop idles on until stopped (the port's asWritten)",
  },
  'workers-heartbeat': {
    params: { iterations: null },
    stopAt: 1500,
    names: { worker: ['worker-1', 'worker-2', 'worker-3'] },
    why: 'endless: both stopped at 1.5 s; the port names the workers the course leaves unnamed',
  },
  awaitables: {
    portOnlyLines: [
      [5000, 'main', 'awaited coro()'],
      [10_000, 'main', 'awaited task'],
    ],
    why: 'the course prints nothing; the port says what it awaited',
  },
  'gather-random-sleep': { params: { delays: [4000, 1000, 2000, 3000, 5000] }, names: { random_sleep: GATHER_NAMES }, why: 'gather names its tasks Task-2…' },
  'wait-all-completed': {
    params: { delays: [3000, 1000, 5000, 2000, 4000] },
    fix: TASKS_FOR_WAIT,
    names: { random_sleep: ['random_sleep(1)', 'random_sleep(2)', 'random_sleep(3)', 'random_sleep(4)', 'random_sleep(5)'] },
    why: '3.11 refuses coroutines in asyncio.wait (the port wraps them in tasks, as the fix does) and the port names them',
  },
  'wait-first-completed': {
    params: { delays: [3000, 5000, 2000, 1000, 4000] },
    fix: TASKS_FOR_WAIT,
    names: { random_sleep: ['random_sleep(1)', 'random_sleep(2)', 'random_sleep(3)', 'random_sleep(4)', 'random_sleep(5)'] },
    why: '3.11 refuses coroutines in asyncio.wait (the port wraps them in tasks, as the fix does) and the port names them',
  },
  'wait-for-timeout': {
    pythonOnly: [{ name: 'request_traffic_jams', state: 'cancelled', cancel: 'timeout' }],
    portDiffers: { main: { port: { cancel: 'timeout' }, python: { cancel: null } } },
    why: "3.11's wait_for runs the coroutine in a task of its own; the port follows 3.12, where it runs inside main",
  },
  'graceful-cancel': { why: 'the same' },
  'first-exception': {
    fix: (code) =>
      code.replace('[*[worker(i) for i in range(1, 4)], worker_with_exception(4)]', '[*[asyncio.ensure_future(worker(i)) for i in range(1, 4)], asyncio.ensure_future(worker_with_exception(4))]'),
    names: { worker: ['worker(1)', 'worker(2)', 'worker(3)'], worker_with_exception: ['worker_with_exception(4)'] },
    setOrder: /^worker was (correctly )?cancelled$/,
    why: '3.11 refuses coroutines in asyncio.wait; the port names the workers; main cancels `pending`, a set, in its own order',
  },
  'async-iterator': { params: { delays: [2000, 3000, 3000, 2000] }, why: 'the same, with the delays pinned' },
  'async-context-manager': { why: 'the same' },
  'http-context-manager': { needs: ['aiohttp', 'aioresponses'], why: 'the same' },
}

/** The port through the scenario CLI, in this process: its --json records, and each task's first cancel source. */
async function portTable(id: string, c: Case): Promise<Table> {
  const out: string[] = []
  const cancels = new Map<number, string>()
  const outDir = await mkdtemp(join(tmpdir(), `lw-port-${id}-`))
  dirs.push(outDir)
  const argv = [id, '--json', '--virtual', '--no-history', '--out-dir', outDir, ...(c.params ? ['--params', JSON.stringify(c.params)] : [])]
  const status = await runScenarioCli(argv, { out: (l) => out.push(l), err: () => undefined }, {
    onRun(run) {
      const note = (t: Task<unknown>): void => {
        const source = t.cancelRequest()?.source
        if (source !== undefined && !cancels.has(t.id)) cancels.set(t.id, source)
      }
      run.loop.addInstrument({ taskStateChanged: note, taskDone: note })
      if (c.stopAt !== undefined) run.loop.callAt(run.loop.time() + c.stopAt, () => void run.stop(5000))
    },
  })
  const recs = records(out.join('\n'))
  // The runtime numbers tasks per process (Task-N, as CPython does); in this process other runs
  // came first, so the names are the ones a fresh `loopwatch scenario` process gives.
  const first = Math.min(...recs.filter((r) => r.event === 'task').map((r) => r.id as number))
  const fresh = (id: unknown, name: unknown): unknown => (typeof id === 'number' && name === `Task-${id}` ? `Task-${id - first + 1}` : name)
  for (const r of recs) {
    if (r.event === 'task') r.name = fresh(r.id, r.name)
    else if ('line' in r) r.task = fresh(r.taskId, r.task)
  }
  const port = table(recs, (taskId) => cancels.get(taskId) ?? null, status)
  for (const [name, d] of Object.entries(c.portDiffers ?? {})) {
    const k = port.tasks.findIndex((row) => row.name === name)
    expect(port.tasks[k], `the port's ${name}`).toMatchObject(d.port)
    port.tasks[k] = { ...port.tasks[k]!, ...d.python }
  }
  return port
}

/** The course's Python under the agent on the virtual clock, watched by a real hub for the cancel sources. */
async function pythonTable(id: string, code: string, c: Case): Promise<Table> {
  const dir = await mkdtemp(join(tmpdir(), `lw-table-${id}-`))
  dirs.push(dir)
  await writeFile(join(dir, 'program.py'), `${code}\n`)
  const hub = await startHub()
  const delays = c.params?.delays as number[] | undefined
  const env: Record<string, string> = delays ? { LOOPWATCH_PIN_RANDINT: JSON.stringify(delays.map((d) => d / 1000)) } : {}
  const args = ['--virtual', '--json', '--app', appUrl({ port: hub.port, token: hub.token }), ...(c.stopAt !== undefined ? ['--stop-at', String(c.stopAt)] : []), 'program.py']
  const run = await runAgent(DEBIAN_PYTHON, args, { cwd: dir, env })
  await eventually(() => hub.sources().some((s) => s.state === 'exited'), 20_000)
  const snaps = new Map(hub.tasks(hub.sources()[0]!.id).map(({ task }) => [task.id, task]))
  const recs = records(run.stdout)
  // The hub's and the --json's task ids are the agent's own: one numbering.
  return table(recs, (taskId) => snaps.get(taskId)?.cancel?.source ?? null, run.code ?? -1)
}

function table(recs: Record<string, unknown>[], cancelOf: (taskId: number) => string | null, status: number): Table {
  const tasks = new Map<number, Row>()
  for (const r of recs) {
    if (r.event !== 'task') continue
    const id = r.id as number
    tasks.set(id, { name: String(r.name), state: String(r.state), cancel: cancelOf(id) })
  }
  const lines = recs.filter((r) => 'line' in r && r.stream !== 'stderr').map((r): Line => [r.t as number, (r.task as string | null) ?? null, String(r.line)])
  const error = recs.find((r) => 'line' in r && r.stream === 'stderr')?.line as string | undefined
  expect(recs.find((r) => 'exit' in r)?.exit, 'the exit record says the exit status').toBe(status)
  const ids = [...tasks.keys()].sort((a, b) => a - b)
  const lineIds = recs.filter((r) => 'line' in r && r.stream !== 'stderr').map((r) => (r.taskId as number | null) ?? null)
  return { tasks: ids.map((id) => tasks.get(id)!), ids, lines, lineIds, error: error ?? null, exit: status }
}

/** The Python table in the port's terms: pinned names mapped (lines follow their task), Python-only tasks taken out (and checked). */
function asPort(py: Table, c: Case): Table {
  const count = new Map<string, number>()
  const nameOf = new Map<number, string>()
  const tasks: Row[] = []
  const pythonOnly = [...(c.pythonOnly ?? [])]
  py.tasks.forEach((row, i) => {
    const k = pythonOnly.findIndex((p) => p.name === row.name)
    if (k !== -1) {
      expect(row, `${row.name}, a task only CPython 3.11 has`).toEqual(pythonOnly[k])
      pythonOnly.splice(k, 1)
      return
    }
    const pinned = c.names?.[row.name]
    let name = row.name
    if (pinned !== undefined) {
      const n = count.get(row.name) ?? 0
      count.set(row.name, n + 1)
      name = pinned[n] ?? `${row.name} (unpinned #${n + 1})`
    }
    nameOf.set(py.ids[i]!, name)
    tasks.push({ ...row, name })
  })
  expect(pythonOnly, 'pinned Python-only tasks that did not appear').toEqual([])
  const lines = py.lines.map(([t, task, line], i): Line => {
    const id = py.lineIds[i]
    return [t, id === null || id === undefined ? task : (nameOf.get(id) ?? task), line]
  })
  return { ...py, tasks, lines }
}

/** The port's lines without the ones only it prints (each must be there, in order). */
function withoutPortOnly(lines: Line[], only: Line[]): Line[] {
  const rest = [...lines]
  for (const o of only) {
    const k = rest.findIndex((l) => l[0] === o[0] && l[1] === o[1] && l[2] === o[2])
    expect(k, `the port prints ${JSON.stringify(o)}`).not.toBe(-1)
    rest.splice(k, 1)
  }
  return rest
}

/** Lines matching `set` printed at one time by a loop over a set: sorted within their run. */
function setOrdered(lines: Line[], set: RegExp | undefined): Line[] {
  if (set === undefined) return lines
  const out: Line[] = []
  let run: Line[] = []
  const flush = (): void => {
    out.push(...run.sort((a, b) => `${a[1]} ${a[2]}`.localeCompare(`${b[1]} ${b[2]}`)))
    run = []
  }
  for (const l of lines) {
    if (set.test(l[2]) && (run.length === 0 || run[0]![0] === l[0])) run.push(l)
    else {
      flush()
      if (set.test(l[2])) run.push(l)
      else out.push(l)
    }
  }
  flush()
  return out
}

/** Programs whose text fails on CPython 3.11 where the port runs the fixed program: CPython's own table. */
const AS_WRITTEN: Record<string, { tasks: Row[]; error: string; t: number }> = {
  'wait-all-completed': { tasks: [{ name: 'main', state: 'failed', cancel: null }], error: 'TypeError: Passing coroutines is forbidden, use tasks explicitly.', t: 0 },
  'wait-first-completed': { tasks: [{ name: 'main', state: 'failed', cancel: null }], error: 'TypeError: Passing coroutines is forbidden, use tasks explicitly.', t: 0 },
  'first-exception': { tasks: [{ name: 'main', state: 'failed', cancel: null }], error: 'TypeError: Passing coroutines is forbidden, use tasks explicitly.', t: 0 },
  'stats-daemon-run': { tasks: [{ name: 'main', state: 'failed', cancel: null }], error: "NameError: name 'time' is not defined", t: 60_000 },
}

describe.skipIf(missingModules(DEBIAN_PYTHON, []) !== null)("every course program: the Python's task table equals the TypeScript port's", () => {
  it('covers every course program', () => {
    expect([...new Set(Object.entries(CASES).map(([key, c]) => c.id ?? key))].sort()).toEqual(Object.keys(courseSources).sort())
  })

  for (const [key, c] of Object.entries(CASES)) {
    const id = c.id ?? key
    const missing = c.needs ? missingModules(DEBIAN_PYTHON, c.needs) : null
    it.skipIf(missing !== null)(`${key}${missing ? ` — skipped: ${missing}` : ''} (${c.why})`, { timeout: 60_000 }, async () => {
      const code = courseSources[id]!.code
      const [port, python] = await Promise.all([portTable(id, c), pythonTable(id, c.fix ? c.fix(code) : code, c)])
      const py = asPort(python, c)
      expect(py.tasks).toEqual(port.tasks)
      expect(setOrdered(py.lines, c.setOrder)).toEqual(setOrdered(withoutPortOnly(port.lines, c.portOnlyLines ?? []), c.setOrder))
      expect(py.error).toBe(c.errors ? c.errors.python : port.error)
      if (c.errors) expect(port.error).toBe(c.errors.port)
      expect(py.exit).toBe(port.exit)
    })
  }

  for (const [id, expected] of Object.entries(AS_WRITTEN)) {
    it(`${id}, as written, has CPython's own table: main fails with ${expected.error.split(':')[0]}`, { timeout: 60_000 }, async () => {
      const py = await pythonTable(id, courseSources[id]!.code, { why: 'as written' })
      expect(py.tasks).toEqual(expected.tasks)
      expect(py.lines).toEqual([])
      expect(py.error).toBe(expected.error)
      expect(py.exit).toBe(1)
    })
  }
})
