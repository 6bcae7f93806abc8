// The course's own Python in the window: which programs can run here (and why not), its runs as
// the main side reports them (coursePython:changed), and starting one.
import type { LoopwatchApi } from '../../../shared/contract'
import type { ProgramClock } from '../../../shared/program-contract'
import type { CoursePythonRun, CoursePythonStatus } from '../../../shared/course-python-contract'

/** What the button says while the app has not answered yet. */
export const CHECKING = 'checking which Python can run it…'

export class CoursePythonState {
  status = $state.raw<CoursePythonStatus | null>(null)
  runs = $state.raw<CoursePythonRun[]>([])
  busy = $state(false)
  /** The last refusal (busy, shutting down, …), shown beside the button. */
  error = $state<string | null>(null)

  constructor(private readonly api: () => LoopwatchApi | null) {}

  /** Asks the main side (on connect): the status it computed at start, and the runs it has. */
  async load(): Promise<void> {
    const api = this.api()
    if (!api) return
    const [status, list] = await Promise.all([api.invoke('coursePython:status'), api.invoke('coursePython:list')])
    if (status.ok) this.status = status.value
    else this.error = status.error.message
    if (list.ok) this.runs = list.value
  }

  /** Why program `id`'s Python cannot run here (null: it can). */
  reasonFor(id: string): string | null {
    if (!this.status) return CHECKING
    const entry = this.status.programs.find((p) => p.id === id)
    return entry ? entry.reason : `${id} has no Python text in the course`
  }

  /** coursePython:changed. */
  setRuns(list: CoursePythonRun[]): void {
    this.runs = list
  }

  byKey(runKey: number | null): CoursePythonRun | undefined {
    return runKey === null ? undefined : this.runs.find((r) => r.runKey === runKey)
  }

  /** Starts program `id`'s Python; the run (with its source once connected), or null with `error` set. */
  async run(id: string, clock: ProgramClock): Promise<CoursePythonRun | null> {
    const api = this.api()
    if (!api || this.busy) return null
    this.busy = true
    this.error = null
    try {
      const r = await api.invoke('coursePython:run', { id, clock })
      if (!r.ok) {
        this.error = r.error.message
        return null
      }
      this.runs = [...this.runs.filter((x) => x.runKey !== r.value.runKey), r.value]
      return r.value
    } finally {
      this.busy = false
    }
  }
}
