import type { EventLoop, Task } from '../runtime'
import type {
  DaemonId, DaemonInfo, DaemonStopReport, JobsProgress, ShutdownReport, StatsSample, TaskState,
} from '../../shared/snapshots'
import type { History } from '../history'

// Shapes that cross IPC are the shared contract's (src/shared/snapshots.ts), declared once there.
export type { DaemonId, DaemonInfo, DaemonStopReport, JobsProgress, ShutdownReport, StatsSample, TaskState }

/** A printed line of a daemon task, shaped as the scenarios' records (t: daemon clock ms since its start). */
export interface DaemonLog {
  daemon: DaemonId
  t: number
  line: string
  taskId: number | null
  taskName: string | null
  stream: 'stdout' | 'stderr'
}

/** Not-done tasks by state. */
export type TaskCounts = Partial<Record<TaskState, number>>

/** What a daemon gets to run with. */
export interface DaemonContext {
  loop: EventLoop
  history: History
  /** Prints a line as the current task (call inside a task step). */
  log(line: string, stream?: 'stdout' | 'stderr'): void
  /** Collector base URL (started before the stats daemon starts). */
  collectorUrl: string
  taskCounts: () => TaskCounts
  jobsProgress(p: JobsProgress): void
}

/** A started daemon: its tasks (stopped newest-first), and what to add to its stop report. */
export interface RunningDaemon {
  tasks: Task<unknown>[]
  /**
   * The tasks that do its work, when not all of them (the job workers, not their producer): once
   * these have all ended on their own the daemon has ended, and the rest are stopped. Default: `tasks`.
   */
  workers?: Task<unknown>[]
  /** Called once its tasks have settled (or the grace ran out). */
  afterStop?(): Record<string, number> | undefined
}
