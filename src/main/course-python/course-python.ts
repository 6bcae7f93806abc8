// The course's own Python, run from the window: its text verbatim (courseSources) in a private
// 0600 file, under CPython with the Python agent, as an app child. The children's lifecycle — at
// most N at once, Stop through the agent then SIGKILL after grace + margin, killed at app close —
// is the editor's (ProgramRuns); only how a child starts differs (python-child.ts).
import type { ProgramClock } from '../../shared/program-contract'
import type { CoursePythonRun, CoursePythonStatus } from '../../shared/course-python-contract'
import { AppError } from '../ipc/app-error'
import { ProgramRuns } from '../programs/program-runs'
import type { ProgramRunsOptions } from '../programs/program-runs'
import { courseStatus, importedModules } from './availability'
import { locatePython, probePython } from './interpreter'
import type { LocatedPython, ProbeResult } from './interpreter'
import { pythonChildSpawner } from './python-child'

/**
 * Endless course programs on the virtual clock would run — and print — as fast as the CPU allows;
 * they end where their TypeScript port's default iterations end (the agent's --stop-at, loop ms).
 */
export const VIRTUAL_STOP_AT_MS: Readonly<Record<string, number>> = {
  'workers-heartbeat': 1_500,
  'stats-daemon': 180_500,
  'stats-daemon-run': 180_500,
}

export interface CoursePythonOptions extends Pick<ProgramRunsOptions, 'hubUrl' | 'sources' | 'maxRunning' | 'killMarginMs' | 'connectWaitMs'> {
  /** The course programs that have a Python text: id and the text, verbatim. */
  programs: readonly { id: string; code: string }[]
  onChange: (list: CoursePythonRun[]) => void
  /** Where findPython looks (tests: a PATH without python, LOOPWATCH_PYTHON=/nonexistent). */
  env?: NodeJS.ProcessEnv
  exists?: (path: string) => boolean
  /** The interpreter probe (tests count its calls). */
  probe?: (python: string, modules: readonly string[]) => Promise<ProbeResult>
}

/** A run's course program: its file is `<id>.py`, which is also its source's name in the window. */
function tagged(info: ReturnType<ProgramRuns['list']>[number]): CoursePythonRun {
  return { ...info, scenarioId: info.name.replace(/\.py$/, '') }
}

/**
 * @example
 * const py = new CoursePython({ hubUrl, sources, programs, onChange })
 * (await py.status()).programs.find((p) => p.id === 'users-csv')?.reason // null, or what is missing
 * await py.run('graceful-cancel', { speed: 1 }) // a child source named graceful-cancel.py
 */
export class CoursePython {
  readonly runs: ProgramRuns
  private readonly located: LocatedPython
  private readonly ready: Promise<CoursePythonStatus>

  constructor(private readonly opts: CoursePythonOptions) {
    this.located = locatePython(opts.env, opts.exists)
    const modules = [...new Set(opts.programs.flatMap((p) => importedModules(p.code)))]
    const python = this.located.path
    // Once, at start: one short process, whose answer every later status and run reads.
    this.ready = (python === null ? Promise.resolve(null) : (opts.probe ?? probePython)(python, modules)).then((probe) => courseStatus(this.located, probe, opts.programs, VIRTUAL_STOP_AT_MS))
    this.runs = new ProgramRuns({
      hubUrl: opts.hubUrl,
      sources: opts.sources,
      // The history keeps the run's tasks and lines; its text is the course's, not an editor program.
      saveProgram: () => {},
      onChange: (list) => opts.onChange(list.map(tagged)),
      spawnChild: (cfg) => {
        const id = cfg.name.replace(/\.py$/, '')
        const stopAt = cfg.clock === 'virtual' ? VIRTUAL_STOP_AT_MS[id] : undefined
        return pythonChildSpawner(python!, () => (stopAt === undefined ? [] : ['--stop-at', String(stopAt)]))(cfg)
      },
      check: false,
      noun: 'course Python programs',
      maxRunning: opts.maxRunning,
      killMarginMs: opts.killMarginMs,
      connectWaitMs: opts.connectWaitMs,
    })
  }

  /** Whether each course program can run here (the probe made at start; later calls cost nothing). */
  status(): Promise<CoursePythonStatus> {
    return this.ready
  }

  list(): CoursePythonRun[] {
    return this.runs.list().map(tagged)
  }

  /**
   * Starts course program `id`'s Python. Refused, changing nothing: an id not in the course
   * (not_found), a Python or module that is missing (invalid_state, saying which), too many
   * running (busy).
   */
  async run(id: string, clock: ProgramClock = { speed: 1 }): Promise<CoursePythonRun> {
    const program = this.opts.programs.find((p) => p.id === id)
    if (!program) throw new AppError('not_found', `no course program ${JSON.stringify(id.slice(0, 100))} has a Python text (known: ${this.opts.programs.map((p) => p.id).join(', ')})`)
    const status = await this.ready
    const reason = status.programs.find((p) => p.id === id)?.reason ?? null
    if (reason !== null) throw new AppError('invalid_state', `${id}: ${reason}`)
    const file = `${id}.py`
    return tagged(await this.runs.start({ source: program.code, clock, name: file, fileName: file }))
  }
}
