// The editor's programs, run the one way Loopwatch runs a user's file (`loopwatch run`: a child
// process, run-child.ts, agent preloaded) and watched through the app's own hub. Never in the app's
// process: a `while (true) {}` blocks only its child. The app owns these ChildProcess objects, so a
// stop the child cannot answer (its thread blocked) ends in SIGKILL after grace + margin, and says so.
import type { ChildProcessByStdio } from 'node:child_process'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Readable, Writable } from 'node:stream'
import { pathToFileURL } from 'node:url'
import { PROGRAM_LIMITS } from '../../shared/program-contract'
import type { ProgramClock, ProgramRunInfo, ProgramStopReport } from '../../shared/program-contract'
import type { ShutdownReport, SourceId, SourceInfo } from '../../shared/snapshots'
import { spawnRunChild } from '../cli/run-command'
import type { RunConfig } from '../cli/run-config'
import { AppError } from '../ipc/app-error'
import { PROGRAM_FILE, checkProgram } from './check'
import { repoRoot } from './repo-root'

export interface ProgramRunsOptions {
  /** The app's hub as `tcp://127.0.0.1:<port>?token=…` (null: no hub, nothing can be watched). */
  hubUrl: () => Promise<string | null>
  /** The app's connected processes: where a child's source shows up, and how it is told to stop. */
  sources: {
    stop(sourceId: SourceId, graceMs: number): Promise<ShutdownReport>
    /** Told just before the app kills a child's process, so its history run reads as the app's kill. */
    killing?(sourceId: SourceId, why: string): void
  }
  /** Stores the program text with the history run its source became. */
  saveProgram: (runId: number, program: { name: string; clock: ProgramClock; source: string }) => void
  onChange: (list: ProgramRunInfo[]) => void
  /** run-child.ts's absolute path (from the repository root: the Electron bundle lives elsewhere). */
  childPath?: string
  maxRunning?: number
  /** Past a stop's grace, how long before an unanswered child is killed (real ms). */
  killMarginMs?: number
  /** How long program:run waits for the child's agent to connect before answering anyway. */
  connectWaitMs?: number
  /**
   * How a child is started (default: `loopwatch run`'s Node child, spawnRunChild, exit-with-parent
   * preloaded). `cfg.file` is the program in its private 0700 folder; stdin must be a pipe.
   */
  spawnChild?: (cfg: RunConfig) => ChildProcessByStdio<Writable | null, Readable, Readable>
  /** Compile the text with esbuild before running it (default true: the editor's TypeScript). */
  check?: boolean
  /** What these children are called in messages (default `editor programs`). */
  noun?: string
}

interface Child {
  info: ProgramRunInfo
  source: string
  proc: ChildProcessByStdio<Writable | null, Readable, Readable>
  dir: string
  exited: Promise<void>
  stopping: Promise<ProgramStopReport> | null
  killedByUs: boolean
}

const LIVE: ReadonlySet<ProgramRunInfo['state']> = new Set(['starting', 'running', 'stopping'])
/** Ended runs kept in the list (the window shows how each ended). */
const ENDED_KEPT = 20
const DEFAULT_GRACE_MS = 2_000
/** Beside this module in the sources; in Electron's bundle, found from the repository root. */
const EXIT_WITH_PARENT = pathToFileURL(join(repoRoot(), 'src/main/programs/exit-with-parent.ts')).href

/**
 * Starts, lists and stops editor programs.
 *
 * @example
 * const programs = new ProgramRuns({ hubUrl, sources: core.sources, saveProgram, onChange })
 * const run = await programs.start({ source: 'await run(main)', clock: 'virtual' })
 * await programs.stop(run.runKey, 2000) // { how: 'graceful' | 'killed', … }
 */
export class ProgramRuns {
  private readonly children = new Map<number, Child>()
  private nextKey = 0
  private closed = false
  private readonly waiters = new Set<() => void>()

  constructor(private readonly opts: ProgramRunsOptions) {}

  list(): ProgramRunInfo[] {
    return [...this.children.values()].map((c) => ({ ...c.info, stderr: [...c.info.stderr] }))
  }

  /** Live children (starting, running, stopping). */
  live(): ProgramRunInfo[] {
    return this.list().filter((i) => LIVE.has(i.state))
  }

  /** The live editor child behind a connected source, if it is one. */
  ofSource(sourceId: SourceId): ProgramRunInfo | null {
    return this.live().find((i) => i.sourceId === sourceId) ?? null
  }

  /**
   * Compiles the text (refusing it with its first problem), writes it to a private temp file and
   * starts it as a child watched by this app's hub. Answers once its agent connected (or it ended,
   * or connectWaitMs passed): which source and history run it became.
   */
  async start(input: { source: string; clock: ProgramClock; name?: string | undefined; fileName?: string }): Promise<ProgramRunInfo> {
    if (this.closed) throw new AppError('shutting_down', 'the app is closing')
    const max = this.opts.maxRunning ?? PROGRAM_LIMITS.maxRunning
    const busy = () => new AppError('busy', `${max} ${this.opts.noun ?? 'editor programs'} are running already: stop one first`)
    if (this.live().length >= max) throw busy()
    const problems = this.opts.check === false ? [] : (await checkProgram(input.source)).filter((d) => d.severity === 'error')
    if (problems.length > 0) {
      const p = problems[0]!
      throw new AppError('bad_request', `the program does not compile: ${PROGRAM_FILE}:${p.line}:${p.col}: ${p.message}`, problems.map((d) => ({ path: `source:${d.line}:${d.col}`, message: d.message })))
    }
    const app = await this.opts.hubUrl()
    if (app === null) throw new AppError('invalid_state', 'the agent hub is not running, so a program could not be watched: see the app’s log')
    // Counted again after the awaits: two runs racing for the last place.
    if (this.live().length >= max) throw busy()
    if (this.closed) throw new AppError('shutting_down', 'the app is closing')

    // mkdtemp makes the directory 0700; the file is 0600 and must not exist yet.
    const dir = await mkdtemp(join(tmpdir(), 'loopwatch-program-'))
    const file = join(dir, input.fileName ?? PROGRAM_FILE)
    await writeFile(file, input.source, { mode: 0o600, flag: 'wx' })
    const name = input.name ?? 'program'
    const cfg: RunConfig = {
      file,
      name,
      clock: input.clock === 'virtual' ? 'virtual' : input.clock.speed === 1 ? 'real' : { speed: input.clock.speed },
      json: false,
      app,
      noApp: false,
      graceMs: DEFAULT_GRACE_MS,
    }
    const key = ++this.nextKey
    // Its stdin is a pipe only this app holds: if the app dies, the child goes too (exit-with-parent.ts).
    const proc = this.opts.spawnChild?.(cfg) ?? spawnRunChild(cfg, { childPath: this.opts.childPath, stdin: 'pipe', preload: [EXIT_WITH_PARENT] })
    const info: ProgramRunInfo = {
      runKey: key,
      name,
      clock: input.clock,
      pid: proc.pid ?? null,
      state: 'starting',
      sourceId: null,
      runId: null,
      startedWall: Date.now(),
      exit: null,
      stoppedHow: null,
      stderr: [],
    }
    const exited = new Promise<void>((done) => {
      proc.once('error', (e) => {
        this.keepStderr(info, `could not start ${this.opts.spawnChild ? 'it' : 'node'}: ${e.message}`)
        done()
      })
      proc.once('close', () => done())
    })
    const child: Child = { info, source: input.source, proc, dir, exited, stopping: null, killedByUs: false }
    this.children.set(key, child)
    // Drained so a chatty program never blocks on a full pipe; its lines reach the window through its agent.
    proc.stdout.resume()
    let rest = ''
    proc.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      const parts = (rest + chunk).split('\n')
      rest = (parts.pop() ?? '').slice(-PROGRAM_LIMITS.stderrLineChars)
      for (const p of parts) this.keepStderr(info, p)
    })
    proc.once('exit', (code, signal) => {
      if (rest) this.keepStderr(info, rest)
      info.exit = { code, signal }
      info.state = child.killedByUs ? 'killed' : 'exited'
      if (child.killedByUs) info.stoppedHow = 'killed'
    })
    void exited.then(async () => {
      if (info.exit === null) info.exit = { code: null, signal: null }
      if (info.state !== 'killed') info.state = 'exited'
      await rm(dir, { recursive: true, force: true }).catch(() => {})
      this.trimEnded()
      this.changed()
    })
    this.changed()
    await this.until(() => info.sourceId !== null || !LIVE.has(info.state), this.opts.connectWaitMs ?? 10_000)
    return { ...info, stderr: [...info.stderr] }
  }

  /**
   * Follows the app's source list: a child's source is the one whose pid is the child's. Its
   * history run gets the program text (once).
   */
  onSources(list: readonly SourceInfo[]): void {
    let changed = false
    for (const c of this.children.values()) {
      const info = c.info
      if (!LIVE.has(info.state) || info.pid === null) continue
      const s = list.find((x) => x.pid === info.pid && (info.sourceId === null ? x.state === 'connected' : x.id === info.sourceId))
      if (!s) continue
      if (info.sourceId === null) {
        info.sourceId = s.id
        if (info.state === 'starting') info.state = 'running'
        changed = true
      }
      if (info.runId === null && s.runId !== null) {
        info.runId = s.runId
        changed = true
        try {
          this.opts.saveProgram(s.runId, { name: info.name, clock: info.clock, source: c.source })
        } catch (e) {
          console.error('loopwatch: storing an editor program with its history run failed:', e)
        }
      }
    }
    if (changed) this.changed()
  }

  /**
   * Stops an editor program: its agent is told to shut its loops down within graceMs (a child not
   * yet connected gets SIGTERM, which does the same); one that has not exited by grace + margin is
   * killed (SIGKILL). A second call joins the first.
   */
  stop(runKey: number, graceMs: number = DEFAULT_GRACE_MS): Promise<ProgramStopReport> {
    const c = this.children.get(runKey)
    if (!c) return Promise.reject(new AppError('not_found', `no editor program ${runKey}`))
    if (!LIVE.has(c.info.state)) return Promise.resolve({ how: 'already-ended', graceMs, elapsedMs: 0, finished: [], forced: [], cleanupErrors: [] })
    c.stopping ??= this.stopChild(c, graceMs)
    return c.stopping
  }

  /** `source:stop` on an editor child's source: the same stop, which may end in a kill. */
  stopSource(sourceId: SourceId, graceMs: number): Promise<ProgramStopReport> | null {
    const info = this.ofSource(sourceId)
    return info ? this.stop(info.runKey, graceMs) : null
  }

  /** At app close: refuses new runs, kills what is still running, and waits for every exit. */
  async close(): Promise<void> {
    this.closed = true
    const live = [...this.children.values()].filter((c) => LIVE.has(c.info.state))
    for (const c of live) this.kill(c, `${c.info.name} (pid ${c.info.pid}) was still running when the app closed: killed (SIGKILL)`)
    await Promise.all(live.map((c) => c.exited))
  }

  private async stopChild(c: Child, graceMs: number): Promise<ProgramStopReport> {
    const started = performance.now()
    const margin = this.opts.killMarginMs ?? 1_000
    c.info.state = 'stopping'
    this.changed()
    const exited = c.exited.then(() => 'exited' as const)
    let report: ShutdownReport | null = null
    if (c.info.sourceId !== null) {
      // The agent answers with its loops' report; a blocked thread never answers.
      const answered = this.opts.sources.stop(c.info.sourceId, graceMs).then(
        (r) => r,
        () => null,
      )
      const first = await Promise.race([answered, exited, delay(graceMs + margin).then(() => 'timeout' as const)])
      if (first !== 'exited' && first !== 'timeout') report = first
    } else {
      c.proc.kill('SIGTERM')
    }
    // Answered or not, the process has until grace + margin to be gone.
    const left = Math.max(0, graceMs + margin - (performance.now() - started))
    const gone = (await Promise.race([exited, delay(left).then(() => 'timeout' as const)])) === 'exited'
    const elapsedMs = Math.round(performance.now() - started)
    const who = `${c.info.name} (pid ${c.info.pid})`
    if (gone && !c.killedByUs) {
      c.info.stoppedHow = 'graceful'
      this.changed()
      return { ...(report ?? { finished: [], forced: [], cleanupErrors: [] }), graceMs, elapsedMs, how: 'graceful' }
    }
    this.kill(c, `${who} was killed (SIGKILL) by the app after its ${graceMs} ms grace (+${margin} ms): it had not ended`)
    await c.exited
    return {
      ...(report ?? { finished: [], forced: [] }),
      graceMs,
      elapsedMs: Math.round(performance.now() - started),
      cleanupErrors: [
        ...(report?.cleanupErrors ?? []),
        { id: 0, name: who, message: `did not end within its ${graceMs} ms grace (+${margin} ms): killed (SIGKILL) — is its thread blocked, e.g. by a synchronous loop?` },
      ],
      how: 'killed',
    }
  }

  private kill(c: Child, why: string): void {
    if (c.info.exit !== null) return
    if (c.info.sourceId !== null) this.opts.sources.killing?.(c.info.sourceId, why)
    c.killedByUs = true
    c.info.stoppedHow = 'killed'
    c.proc.kill('SIGKILL')
  }

  private keepStderr(info: ProgramRunInfo, line: string): void {
    info.stderr.push(line.slice(0, PROGRAM_LIMITS.stderrLineChars))
    if (info.stderr.length > PROGRAM_LIMITS.stderrLines) info.stderr.splice(0, info.stderr.length - PROGRAM_LIMITS.stderrLines)
  }

  private trimEnded(): void {
    const ended = [...this.children.values()].filter((c) => !LIVE.has(c.info.state))
    for (const c of ended.slice(0, Math.max(0, ended.length - ENDED_KEPT))) this.children.delete(c.info.runKey)
  }

  private changed(): void {
    for (const w of [...this.waiters]) w()
    this.opts.onChange(this.list())
  }

  /** Resolves once `ok()` holds (checked at every change) or after `ms`. */
  private until(ok: () => boolean, ms: number): Promise<void> {
    if (ok()) return Promise.resolve()
    return new Promise((done) => {
      const check = () => {
        if (!ok()) return
        finish()
      }
      const finish = () => {
        clearTimeout(timer)
        this.waiters.delete(check)
        done()
      }
      const timer = setTimeout(finish, ms)
      this.waiters.add(check)
    })
  }
}

function delay(ms: number): Promise<void> {
  return new Promise((done) => setTimeout(done, ms).unref())
}
