// The child process of `loopwatch run <file>` (started as `node --import tsx run-child.ts`): makes
// `loopwatch` resolvable from the user's file wherever it is, treats that file as an ES module,
// sets the clock of run() from the command line, attributes console lines to the printing task,
// attaches the agent (unless --no-app), prints the --json trace, and turns the program's end
// (done, thrown, stopped, never ran, did not compile) into one clear message and exit status.
import { register } from 'node:module'
import { pathToFileURL } from 'node:url'
import { format } from 'node:util'
import { CancelledError, ScaledClock, VirtualClock, currentTask, getRunningLoop, onLoopCreated, setDefaultClock } from '../runtime/index'
import type { EventLoop, Task } from '../runtime/index'
import type { Watcher } from '../../agent/watch'
import { watch } from '../../agent/watch'
import { jsonTaskEvent } from './format'
import { RUN_CONFIG_ENV, parseRunConfig } from './run-config'

/**
 * The resolve hook (run in Node's loader thread, so plain JavaScript): `loopwatch` → this package;
 * a bare package name the user's folder cannot resolve is looked up from this package too, so a
 * program anywhere on disk (or written by the editor into a temp folder) can import what the
 * course's programs import (faker, undici, csv-stringify) without a node_modules of its own.
 */
const HOOK = `
let targets
export function initialize(data) { targets = data }
const bare = (s) => !/^(\\.|\\/|[a-z][a-z0-9+.-]*:)/i.test(s)
export async function resolve(specifier, context, next) {
  if (specifier === 'loopwatch') return next(targets.runtime, context)
  if (specifier === 'loopwatch/agent') return next(targets.agent, context)
  let r
  try {
    r = await next(specifier, context)
  } catch (error) {
    if (error?.code !== 'ERR_MODULE_NOT_FOUND' || !bare(specifier) || context.parentURL === targets.fallbackParent) throw error
    try {
      r = await next(specifier, { ...context, parentURL: targets.fallbackParent })
    } catch {
      throw error // the user's own resolution error, naming their file
    }
  }
  // A user's file with no package.json beside it is an ES module (top-level await), as the issue asks.
  if (r.url.startsWith('file:') && !r.url.includes('/node_modules/') && /\\.(m?[jt]s|tsx?)$/.test(r.url)) return { ...r, format: 'module' }
  return r
}`

const config = parseRunConfig(process.env[RUN_CONFIG_ENV])
delete process.env[RUN_CONFIG_ENV] // the program's own children are not runs of ours
register(`data:text/javascript,${encodeURIComponent(HOOK)}`, import.meta.url, {
  data: {
    runtime: new URL('../runtime/index.ts', import.meta.url).href,
    agent: new URL('../../agent/watch.ts', import.meta.url).href,
    fallbackParent: import.meta.url,
  },
})

const realOut = (s: string) => void process.stdout.write(s)
const realErr = (s: string) => void process.stderr.write(s)

if (config.clock === 'virtual') setDefaultClock(() => new VirtualClock())
else if (config.clock !== 'real') {
  const rate = config.clock.speed
  setDefaultClock(() => new ScaledClock(rate))
}

// Every loop: its start time (printed lines carry their time since then), and the live ones for a stop.
const starts = new Map<EventLoop, number>()
const live = new Set<EventLoop>()
let loopsMade = 0
let lastT = 0
const tOf = (loop: EventLoop) => Math.round((loop.time() - (starts.get(loop) ?? 0)) * 1000) / 1000
// The newest loop not yet closed: a line printed between two runUntilComplete() calls of a loop made
// by hand (no loop running) carries that loop's time, as on CPython's one clock.
let newest: EventLoop | null = null
const idleT = () => (newest ? tOf(newest) : lastT)
onLoopCreated((loop) => {
  loopsMade++
  starts.set(loop, loop.time())
  live.add(loop)
  newest = loop
  const removeInstrument = config.json
    ? loop.addInstrument({
        taskCreated: (task) => realOut(`${jsonTaskEvent(tOf(loop), task, task.state)}\n`),
        taskStateChanged: (task, _from, to) => realOut(`${jsonTaskEvent(tOf(loop), task, to)}\n`),
      })
    : null
  return () => {
    lastT = tOf(loop)
    if (newest === loop) newest = null
    live.delete(loop)
    removeInstrument?.()
  }
})

const watcher: Watcher | null = config.noApp
  ? null
  : watch({
      name: config.name,
      app: config.app,
      // The app (or the terminal) started this process: the app's graceful shutdown stops it.
      role: 'child',
      clock: config.clock === 'virtual' ? { kind: 'virtual' } : config.clock === 'real' ? { kind: 'real' } : { kind: 'scaled', rate: config.clock.speed },
    })

function printing(): { loop: EventLoop | null; task: Task<unknown> | null } {
  try {
    const loop = getRunningLoop()
    return { loop, task: currentTask() }
  } catch {
    return { loop: null, task: null }
  }
}

function printLine(stream: 'stdout' | 'stderr', line: string, kind: 'print' | 'traceback' = 'print'): void {
  const { loop, task } = printing()
  watcher?.log(stream, line)
  if (!config.json) return (stream === 'stdout' ? realOut : realErr)(`${line}\n`)
  const t = loop ? tOf(loop) : idleT()
  const who = { task: task?.name ?? null, taskId: task?.id ?? null }
  realOut(`${JSON.stringify(stream === 'stdout' && kind === 'print' ? { t, line, ...who } : { t, line, stream: 'stderr', ...who })}\n`)
}

const capture = (stream: 'stdout' | 'stderr') => (...args: unknown[]) => {
  for (const line of format(...args).split('\n')) printLine(stream, line)
}
console.log = capture('stdout')
console.info = capture('stdout')
console.error = capture('stderr')
console.warn = capture('stderr')

type Outcome = 'done' | 'failed' | 'cancelled'
let outcome: Outcome = 'done'
let errorText: string | null = null
let stopped: 'signal' | null = null

function failed(error: unknown): void {
  if (error instanceof CancelledError) {
    outcome = 'cancelled'
    return
  }
  outcome = 'failed'
  const compile = compileError(error)
  if (compile) {
    errorText = compile
    realErr(`loopwatch run: ${config.file} does not compile:\n${compile}\n`)
    return
  }
  errorText = error instanceof Error ? (error.message ? `${error.name}: ${error.message}` : error.name) : String(error)
  if (config.json) printLine('stderr', errorText, 'traceback')
  realErr(`loopwatch run: the program threw ${error instanceof Error && error.stack ? error.stack : errorText}\n`)
}

/** esbuild's "file:4:0: ERROR: Expected … " as `file:4:1: Expected …` (columns from 1, as editors count). */
function compileError(error: unknown): string | null {
  if (!(error instanceof Error) || error.name !== 'TransformError') return null
  const lines = error.message.split('\n').filter((l) => / ERROR: /.test(l))
  return lines.map((l) => l.replace(/^(.*):(\d+):(\d+): ERROR: /, (_m, f: string, line: string, col: string) => `${f}:${line}:${Number(col) + 1}: error: `)).join('\n') || error.message
}

function status(): number {
  if (outcome === 'failed') return 1
  if (outcome === 'cancelled' || stopped) return 130
  if (loopsMade === 0) return 1
  return typeof process.exitCode === 'number' ? process.exitCode : 0
}

async function stopAll(graceMs: number): Promise<void> {
  if (watcher) {
    await watcher.stop(graceMs)
    return
  }
  await Promise.all(
    [...live].map(async (loop) => {
      await loop.shutdown({ graceMs })
      loop.stop()
    }),
  )
}

// The parent's Stop (SIGTERM) or the terminal's Ctrl-C (SIGINT): a graceful shutdown of every loop.
for (const sig of ['SIGINT', 'SIGTERM'] as const) {
  process.on(sig, () => {
    if (stopped) return
    stopped = 'signal'
    void stopAll(config.graceMs)
  })
}
process.on('unhandledRejection', (error) => {
  failed(error)
  process.exitCode = status()
})
process.on('uncaughtException', (error) => {
  failed(error)
  process.exit(status())
})

let closing = false
process.on('beforeExit', () => {
  if (closing) return
  closing = true
  if (loopsMade === 0 && outcome === 'done') realErr(`loopwatch run: ${config.file} never called run(): nothing ran on a loop (write \`await run(main)\`)\n`)
  process.exitCode = status()
  void watcher?.close({ code: status(), reason: outcome === 'done' ? 'finished' : outcome })
})
process.on('exit', (code) => {
  if (!config.json) return
  const record: Record<string, unknown> = { t: idleT(), exit: code, outcome }
  if (errorText) record.error = errorText
  realOut(`${JSON.stringify(record)}\n`)
})

try {
  await import(pathToFileURL(config.file).href)
} catch (error) {
  failed(error)
  process.exitCode = status()
}
