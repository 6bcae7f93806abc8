// `loopwatch run <file>`: the user's own program, in a child process with the agent preloaded
// (run-child.ts). The parent only starts it, passes its output through, and stops it: a program
// blocked in a synchronous loop cannot stop itself, so after the grace the parent kills it.
import { spawn } from 'node:child_process'
import type { ChildProcessByStdio } from 'node:child_process'
import type { Readable, Writable } from 'node:stream'
import { existsSync, statSync } from 'node:fs'
import { basename, delimiter, extname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { ShutdownTrigger } from '../app/shutdown-signals'
import { CommandLineError, parseCommandLine } from './command-line'
import type { CliIo } from './printer'
import { RUN_CONFIG_ENV } from './run-config'
import type { RunConfig } from './run-config'

export const RUN_USAGE = `usage: loopwatch run <file> [--virtual | --speed N] [--json] [--app URL | --no-app] [--grace-ms M]

  <file>          a .ts, .mts, .js or .mjs ES module anywhere on disk; \`import { run, sleep } from 'loopwatch'\`
                  — or a .py asyncio program, run unmodified under CPython with the Python agent
                  (interpreter: LOOPWATCH_PYTHON, else /usr/bin/python3, else python3 on PATH)
  --virtual       run() without a clock option uses a virtual clock (starts at 0, jumps over sleeps)
  --speed N       … a clock N times faster than real time (default: the real clock)
  --json          print the trace as \`loopwatch scenario --json\` does (for shared/oracle/compare.py)
  --app URL       the app to show it in: tcp://127.0.0.1:<port>?token=… (default: LOOPWATCH_APP, agent.json)
  --no-app        run headless: no agent
  --grace-ms M    Ctrl-C / SIGTERM: cleanup time before the program is killed (default 5000)`

const EXTENSIONS = ['.ts', '.mts', '.js', '.mjs'] as const
const CHILD = fileURLToPath(new URL('./run-child.ts', import.meta.url))
/** The Python agent's package folder (agents/python/loopwatch_agent). */
const PYTHON_AGENT = fileURLToPath(new URL('../../../agents/python', import.meta.url))

/**
 * The interpreter for a .py program: LOOPWATCH_PYTHON, else Debian's /usr/bin/python3 (the one that
 * imports the course's apt packages), else python3 on PATH; null when there is none.
 */
export function findPython(env: NodeJS.ProcessEnv = process.env, exists: (path: string) => boolean = existsSync): string | null {
  if (env.LOOPWATCH_PYTHON) return env.LOOPWATCH_PYTHON
  if (exists('/usr/bin/python3')) return '/usr/bin/python3'
  for (const dir of (env.PATH ?? '').split(delimiter)) {
    if (dir && exists(join(dir, 'python3'))) return join(dir, 'python3')
  }
  return null
}

/**
 * `python3 -m loopwatch_agent …` for a .py program, with the same flags. `agentDir`: where
 * agents/python is when this module is bundled away from it (Electron); `entry`: what runs the
 * agent's main instead of `-m loopwatch_agent` (the app's children add a stdin watch).
 */
export function pythonCommand(
  cfg: RunConfig,
  python: string,
  opts: { agentDir?: string; entry?: readonly string[] } = {},
): { cmd: string; args: string[]; env: NodeJS.ProcessEnv } {
  const clock = cfg.clock === 'virtual' ? ['--virtual'] : cfg.clock === 'real' ? [] : ['--speed', String(cfg.clock.speed)]
  const app = cfg.noApp ? ['--no-app'] : cfg.app !== null ? ['--app', cfg.app] : []
  // `--role child`, as run-child.ts's watch() says for a TS program: the app (or the terminal) started it.
  // `--step-timing`: a program run here gets slow steps and task:timing (a service attached on its own pays nothing unless it asks).
  const args = [...(opts.entry ?? ['-m', 'loopwatch_agent']), ...clock, ...(cfg.json ? ['--json'] : []), ...app, '--role', 'child', '--step-timing', '--grace-ms', String(cfg.graceMs), cfg.file]
  const pythonPath = [opts.agentDir ?? PYTHON_AGENT, process.env.PYTHONPATH].filter(Boolean).join(delimiter)
  return { cmd: python, args, env: { ...process.env, PYTHONPATH: pythonPath } }
}
/** Past the grace, how long the parent waits for a child that said it stopped, before SIGKILL. */
const KILL_MARGIN_MS = 500

class RunUsageError extends CommandLineError {}

/**
 * Starts a user's program the one way Loopwatch runs one (`loopwatch run` and the window's editor
 * alike): `node --import tsx run-child.ts` with `cfg` in its environment, stdout and stderr piped.
 * `childPath` is run-child.ts's absolute path where this module is bundled away from it (Electron).
 *
 * @example const child = spawnRunChild({ file, name: 'demo', clock: 'virtual', json: false, app: null, noApp: true, graceMs: 2000 })
 */
export function spawnRunChild(
  cfg: RunConfig,
  opts: { stdin?: 'inherit' | 'ignore' | 'pipe'; childPath?: string; preload?: readonly string[] } = {},
): ChildProcessByStdio<Writable | null, Readable, Readable> {
  const tsx = import.meta.resolve('tsx')
  // `preload`: modules imported before the program (the editor's exit-with-parent watch).
  const imports = [tsx, ...(opts.preload ?? [])].flatMap((m) => ['--import', m])
  return spawn(process.execPath, [...imports, opts.childPath ?? CHILD], {
    stdio: [opts.stdin ?? 'ignore', 'pipe', 'pipe'],
    env: { ...process.env, [RUN_CONFIG_ENV]: JSON.stringify(cfg) },
  }) as ChildProcessByStdio<Writable | null, Readable, Readable>
}

function parseRunArgs(argv: readonly string[]): RunConfig | 'help' {
  let file: string | null = null
  let clock: RunConfig['clock'] = 'real'
  let json = false
  let app: string | null = null
  let noApp = false
  let graceMs = 5_000
  const value = (i: number, flag: string): string => {
    const v = argv[i + 1]
    if (v === undefined) throw new RunUsageError(`${flag} needs a value`)
    return v
  }
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!
    if (a === '--help' || a === '-h') return 'help'
    else if (a === '--virtual') clock = 'virtual'
    else if (a === '--speed') {
      const speed = Number(value(i++, a))
      if (!Number.isFinite(speed) || speed <= 0) throw new RunUsageError(`--speed takes a number above 0, got ${argv[i]}`)
      clock = { speed }
    } else if (a === '--json') json = true
    else if (a === '--app') app = value(i++, a)
    else if (a === '--no-app') noApp = true
    else if (a === '--grace-ms') {
      graceMs = Number(value(i++, a))
      if (!Number.isFinite(graceMs) || graceMs < 0 || graceMs > 600_000) throw new RunUsageError(`--grace-ms takes 0 … 600000, got ${argv[i]}`)
    } else if (a.startsWith('-')) throw new RunUsageError(`unknown option ${a}`)
    else if (file === null) file = a
    else throw new RunUsageError(`one file only (got ${file} and ${a})`)
  }
  if (argv.includes('--virtual') && argv.includes('--speed')) throw new RunUsageError('--virtual and --speed exclude each other')
  if (app !== null && noApp) throw new RunUsageError('--app and --no-app exclude each other')
  if (file === null) throw new RunUsageError('which file? (loopwatch run my-program.ts)')
  const path = resolve(file)
  if (extname(path) !== '.py' && !EXTENSIONS.includes(extname(path) as (typeof EXTENSIONS)[number])) throw new RunUsageError(`${file}: not a ${EXTENSIONS.join(', ')} file or a .py program`)
  if (!existsSync(path) || !statSync(path).isFile()) throw new RunUsageError(`${file}: no such file`)
  return { file: path, name: basename(path), clock, json, app, noApp, graceMs }
}

/**
 * Runs the user's file in a child process and resolves with its exit status (2: a command line it
 * refused). Ctrl-C / SIGTERM stop the program gracefully within `--grace-ms`, then kill it; the
 * message says which happened.
 *
 * @example await runCommand(['my-program.ts', '--virtual', '--json'], io) // 0
 */
export async function runCommand(argv: readonly string[], io: CliIo, opts: { trigger?: ShutdownTrigger } = {}): Promise<number> {
  const cfg = parseCommandLine('run', RUN_USAGE, argv, parseRunArgs, io)
  if (typeof cfg === 'number') return cfg
  let python: string | null = null
  if (cfg.file.endsWith('.py')) {
    python = findPython()
    if (python === null) {
      io.err(`loopwatch run: ${cfg.name} is a Python program, and no Python was found: install python3 or set LOOPWATCH_PYTHON to an interpreter`)
      return 2
    }
  }
  let force = (): void => {}
  // A second Ctrl-C a second later: no more grace.
  const trigger = opts.trigger ?? new ShutdownTrigger({ onForce: () => force() })
  let stopping: 'graceful' | 'killed' | null = null
  let killTimer: NodeJS.Timeout | null = null
  const py = python !== null ? pythonCommand(cfg, python) : null
  const child = py ? spawn(py.cmd, py.args, { stdio: ['inherit', 'pipe', 'pipe'], env: py.env }) : spawnRunChild(cfg, { stdin: 'inherit' })
  force = () => {
    stopping = 'killed'
    child.kill('SIGKILL')
  }
  pipeLines(child.stdout, io.out)
  pipeLines(child.stderr, io.err)

  const offTrigger = trigger.on((why) => {
    stopping = 'graceful'
    io.err(`loopwatch run: ${why}: stopping ${cfg.name} — every task cancelled, ${cfg.graceMs} ms for cleanup`)
    child.kill('SIGTERM')
    killTimer = setTimeout(() => {
      stopping = 'killed'
      child.kill('SIGKILL')
    }, cfg.graceMs + KILL_MARGIN_MS)
  })
  try {
    const [code, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((done) => {
      child.on('error', (error) => {
        io.err(`loopwatch run: could not start ${py ? py.cmd : 'node'}: ${error.message}`)
        done([1, null])
      })
      child.on('close', (c, s) => done([c, s]))
    })
    if (stopping === 'killed') {
      io.err(`loopwatch run: ${cfg.name} did not stop within its ${cfg.graceMs} ms grace (is its thread blocked, e.g. by a synchronous loop?): killed it (SIGKILL)`)
      return 137
    }
    if (stopping === 'graceful') io.err(`loopwatch run: ${cfg.name} stopped gracefully within its grace (exit ${code ?? signal})`)
    if (code !== null) return code
    return 128 + (signal === 'SIGKILL' ? 9 : signal === 'SIGTERM' ? 15 : 2)
  } finally {
    if (killTimer) clearTimeout(killTimer)
    offTrigger()
    if (!opts.trigger) trigger.dispose()
  }
}

function pipeLines(stream: NodeJS.ReadableStream, write: (line: string) => void): void {
  let rest = ''
  stream.setEncoding('utf8')
  stream.on('data', (chunk: string) => {
    const parts = (rest + chunk).split('\n')
    rest = parts.pop() ?? ''
    for (const p of parts) write(p)
  })
  stream.on('end', () => {
    if (rest !== '') write(rest)
  })
}
