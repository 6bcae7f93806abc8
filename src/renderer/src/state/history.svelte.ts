// Past runs from the history database: the list, one run's tasks and logs (loaded a page at a
// time), export, and the retention policy.
import type { ExportFile, HistoryRun, HistoryRunDetail, RunId, RunSummary } from '../../../shared/snapshots'
import type { LoopwatchApi } from '../../../shared/contract'
import type { ExportFormat } from '../../../shared/history-contract'
import { HISTORY_PAGE } from '../../../shared/history-contract'
import { tokenFromHash } from '../../../shared/wire'
import { RetentionState } from './retention.svelte'
import { download, pageHash } from './download'
import { SlowStepList } from './slow-step-list.svelte'

export class HistoryState {
  runs = $state.raw<HistoryRun[]>([])
  selectedId = $state<RunId | null>(null)
  /** The open run; `tasks` and `logs` grow as more pages load (totals say how many there are). */
  detail = $state.raw<HistoryRunDetail | null>(null)
  loading = $state(false)
  loadingMore = $state(false)
  error = $state<string | null>(null)
  /** What the last export did ("saved to …"), shown beside the export buttons. */
  notice = $state<string | null>(null)
  /** A re-run is being started. */
  rerunning = $state(false)
  readonly retention: RetentionState
  /** The open run's slow steps, sortable (the longest first). */
  readonly slowSteps = new SlowStepList()

  /** `onStarted`: a re-run has started (the window shows it live). */
  constructor(
    private readonly api: () => LoopwatchApi | null,
    private readonly onStarted: (run: RunSummary) => void = () => {},
  ) {
    this.retention = new RetentionState(api, () => void this.refresh())
  }

  /**
   * Starts the run's scenario again with exactly its stored params and clock (a seeded scenario
   * then repeats itself). Answers the new run, or null with `error` saying why it could not start.
   */
  async rerun(run: Pick<HistoryRun, 'scenario' | 'params' | 'clock'>): Promise<RunSummary | null> {
    const api = this.api()
    if (!api || this.rerunning) return null
    this.rerunning = true
    this.error = null
    try {
      const res = await api.invoke('scenario:start', { id: run.scenario, params: run.params, clock: run.clock })
      if (!res.ok) {
        this.error = `could not re-run ${run.scenario}: ${res.error.message}`
        return null
      }
      this.onStarted(res.value)
      return res.value
    } finally {
      this.rerunning = false
    }
  }

  /** More tasks / log lines stored than loaded so far. */
  get moreTasks(): number {
    return this.detail ? this.detail.taskTotal - this.detail.tasks.length : 0
  }
  get moreLogs(): number {
    return this.detail ? this.detail.logTotal - this.detail.logs.length : 0
  }

  async refresh(): Promise<void> {
    const api = this.api()
    if (!api) return
    const res = await api.invoke('history:list', { limit: 200 })
    if (res.ok) this.runs = res.value
    else this.error = res.error.message
  }

  /** Opens a run with the first page of its tasks and of its log. */
  async open(runId: RunId): Promise<void> {
    const api = this.api()
    if (!api) return
    this.selectedId = runId
    this.loading = true
    this.error = null
    this.notice = null
    try {
      const res = await api.invoke('history:get', { runId })
      if (this.selectedId !== runId) return
      if (res.ok) {
        this.detail = res.value
        this.slowSteps.steps = res.value.slowSteps
      } else {
        this.detail = null
        this.slowSteps.steps = []
        this.error = res.error.message
      }
    } finally {
      this.loading = false
    }
  }

  /** Loads the next page of tasks or of log lines and appends it. */
  async loadMore(what: 'tasks' | 'logs'): Promise<void> {
    const api = this.api()
    const d = this.detail
    if (!api || !d || this.loadingMore) return
    this.loadingMore = true
    try {
      const page =
        what === 'tasks'
          ? { runId: d.run.runId, taskOffset: d.tasks.length, taskLimit: HISTORY_PAGE.tasks.default, logLimit: 1, slowSteps: false }
          : { runId: d.run.runId, logOffset: d.logs.length, logLimit: HISTORY_PAGE.logs.default, taskLimit: 1, slowSteps: false }
      const res = await api.invoke('history:get', page)
      if (this.detail !== d) return
      if (!res.ok) {
        this.error = res.error.message
        return
      }
      const next = res.value
      this.detail =
        what === 'tasks'
          ? { ...d, run: next.run, taskTotal: next.taskTotal, tasks: [...d.tasks, ...next.tasks] }
          : { ...d, run: next.run, logTotal: next.logTotal, logs: [...d.logs, ...next.logs] }
    } finally {
      this.loadingMore = false
    }
  }

  close(): void {
    this.selectedId = null
    this.detail = null
    this.slowSteps.steps = []
  }

  /**
   * Exports a run. The host says where the file goes: the browser host streams it from a URL (a
   * download of any size), Electron saves it where the user chose, a small run may come inline.
   */
  async export(runId: RunId, format: ExportFormat): Promise<void> {
    const api = this.api()
    if (!api) return
    this.notice = null
    const res = await api.invoke('run:export', { runId, format })
    if (!res.ok) {
      this.error = res.error.message
      return
    }
    this.deliver(res.value)
  }

  private deliver(file: ExportFile): void {
    switch (file.kind) {
      case 'inline': {
        const url = URL.createObjectURL(new Blob([file.content], { type: file.mime }))
        download(url, file.filename)
        setTimeout(() => URL.revokeObjectURL(url), 1000)
        break
      }
      case 'download':
        download(`${file.url}&token=${encodeURIComponent(tokenFromHash(pageHash()) ?? '')}`, file.filename)
        break
      case 'saved':
        this.notice = `Saved ${file.filename} (${file.bytes.toLocaleString('en-US')} bytes) to ${file.path}`
        break
      case 'cancelled':
        break
    }
  }
}
