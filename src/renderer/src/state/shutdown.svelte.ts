// Graceful shutdown: the dialog's grace period, the live progress the main side streams, and the
// final report.
import type { AppShutdownReport, ShutdownProgress } from '../../../shared/snapshots'
import type { LoopwatchApi } from '../../../shared/contract'

export type ShutdownPhase = 'closed' | 'confirm' | 'running' | 'report'

export class ShutdownState {
  phase = $state<ShutdownPhase>('closed')
  /** Bound to a number input: a number once edited, so read it through `String()`. */
  graceSeconds = $state<string | number>('5')
  progress = $state.raw<ShutdownProgress | null>(null)
  report = $state.raw<AppShutdownReport | null>(null)
  error = $state<string | null>(null)
  /** Stop connected services too (by default they are told the app is closing and left running). */
  stopServices = $state(false)
  /** Stop the job workers (`loopwatch worker`) too, as one group; like services, left running by default. */
  stopWorkers = $state(false)

  readonly graceError = $derived.by(() => {
    const n = Number(this.graceSeconds)
    if (String(this.graceSeconds).trim() === '' || !Number.isFinite(n)) return 'enter seconds, e.g. 5'
    if (n < 0 || n > 600) return 'between 0 and 600 seconds'
    return null
  })

  constructor(private readonly api: () => LoopwatchApi | null) {}

  open(): void {
    if (this.phase === 'running') return
    this.phase = 'confirm'
    this.error = null
  }

  close(): void {
    if (this.phase !== 'running') this.phase = 'closed'
  }

  onProgress(p: ShutdownProgress): void {
    this.progress = p
    if (p.phase !== 'done' && this.phase !== 'report') this.phase = 'running'
    if (p.phase === 'done' && p.report) {
      this.report = p.report
      this.phase = 'report'
    }
  }

  async start(): Promise<void> {
    const api = this.api()
    if (!api || this.graceError) return
    this.phase = 'running'
    this.report = null
    this.progress = null
    const res = await api.invoke('app:shutdown', { graceMs: Math.round(Number(this.graceSeconds) * 1000), stopServices: this.stopServices, stopWorkers: this.stopWorkers })
    if (res.ok) {
      this.report = res.value
      this.phase = 'report'
    } else {
      this.error = res.error.message
      this.phase = 'confirm'
    }
  }
}
