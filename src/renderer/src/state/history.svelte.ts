// Past runs from the history database: the list, one run's tasks and logs, and export.
import type { HistoryRun, HistoryRunDetail, RunId } from '../../../shared/snapshots'
import type { LoopwatchApi } from '../../../shared/contract'

export class HistoryState {
  runs = $state.raw<HistoryRun[]>([])
  selectedId = $state<RunId | null>(null)
  detail = $state.raw<HistoryRunDetail | null>(null)
  loading = $state(false)
  error = $state<string | null>(null)

  constructor(private readonly api: () => LoopwatchApi | null) {}

  async refresh(): Promise<void> {
    const api = this.api()
    if (!api) return
    const res = await api.invoke('history:list', { limit: 200 })
    if (res.ok) this.runs = res.value
    else this.error = res.error.message
  }

  async open(runId: RunId): Promise<void> {
    const api = this.api()
    if (!api) return
    this.selectedId = runId
    this.loading = true
    this.error = null
    try {
      const res = await api.invoke('history:get', { runId })
      if (this.selectedId !== runId) return
      if (res.ok) this.detail = res.value
      else {
        this.detail = null
        this.error = res.error.message
      }
    } finally {
      this.loading = false
    }
  }

  close(): void {
    this.selectedId = null
    this.detail = null
  }

  /** Fetch the export and hand it to the browser as a download. */
  async export(runId: RunId, format: 'csv' | 'json'): Promise<void> {
    const api = this.api()
    if (!api) return
    const res = await api.invoke('run:export', { runId, format })
    if (!res.ok) {
      this.error = res.error.message
      return
    }
    const blob = new Blob([res.value.content], { type: res.value.mime })
    const url = URL.createObjectURL(blob)
    const a = document.createElement('a')
    a.href = url
    a.download = res.value.filename
    document.body.append(a)
    a.click()
    a.remove()
    setTimeout(() => URL.revokeObjectURL(url), 1000)
  }
}
