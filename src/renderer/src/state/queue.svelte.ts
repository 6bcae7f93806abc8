// The queue view: the job queue's status, polled on a bounded interval only while the view is
// open (one request at a time, never faster than QUEUE_LIMITS.minPollMs), and its failed set,
// retried one job or all at once.
import type { LoopwatchApi } from '../../../shared/contract'
import { QUEUE_LIMITS } from '../../../shared/queue-contract'
import type { FailedJobsPage, QueueStatus } from '../../../shared/queue-contract'
import type { ChartColumns } from './daemons.svelte'
import { Poller } from './poller'

/** Failed jobs shown per page. */
export const FAILED_PAGE = 20

/** The throughput series as chart columns: one point a second, x in wall seconds. */
export function throughputColumns(status: QueueStatus | null): ChartColumns {
  if (!status) return [[], []]
  const series = status.throughput.perSecondSeries
  const last = status.throughput.lastSecondWall / 1000
  return [series.map((_, i) => last - (series.length - 1 - i)), [...series]]
}

export class QueueState {
  status = $state.raw<QueueStatus | null>(null)
  failed = $state.raw<FailedJobsPage | null>(null)
  /** Why the last poll or action failed (the view stays as it was). */
  error = $state<string | null>(null)
  /** What a retry did, for a few seconds. */
  notice = $state<string | null>(null)
  /** The job id being retried, or 'all'. */
  retrying = $state<string | null>(null)
  failedOffset = $state(0)
  private lastFailedCount: number | null = null
  private readonly poller: Poller

  constructor(
    private readonly api: () => LoopwatchApi | null,
    pollMs: number = QUEUE_LIMITS.pollMs,
  ) {
    this.poller = new Poller(() => this.fetch(), { intervalMs: Math.max(QUEUE_LIMITS.minPollMs, pollMs) })
  }

  /** The view opened: poll now and every pollMs until `unwatch`. Returns the unwatch. */
  watch(): () => void {
    return this.poller.watch()
  }

  /** One status request (after one in flight), and the failed page when the failed count moved. */
  poll(): Promise<void> {
    return this.poller.pollNow()
  }

  private async fetch(): Promise<boolean> {
    const api = this.api()
    if (!api) return false
    const res = await api.invoke('queue:status')
    if (!res.ok) {
      this.error = res.error.message
      return false
    }
    this.status = res.value
    this.error = null
    const failed = res.value.counts?.failed ?? null
    if (failed !== this.lastFailedCount) await this.loadFailed(this.failedOffset)
    return true
  }

  async loadFailed(offset: number): Promise<void> {
    const api = this.api()
    if (!api) return
    const res = await api.invoke('queue:failed', { offset: Math.max(0, offset), limit: FAILED_PAGE })
    if (!res.ok) {
      this.error = res.error.message
      return
    }
    this.failed = res.value
    this.failedOffset = res.value.offset
    this.lastFailedCount = this.status?.counts?.failed ?? res.value.total
  }

  async retry(jobId: string): Promise<void> {
    await this.act(jobId, async (api) => {
      const res = await api.invoke('queue:retry', { jobId })
      return res.ok ? `job ${jobId} is waiting again` : res.error
    })
  }

  async retryAll(): Promise<void> {
    await this.act('all', async (api) => {
      const res = await api.invoke('queue:retryAll')
      return res.ok ? `${res.value.retried} failed job${res.value.retried === 1 ? '' : 's'} waiting again` : res.error
    })
  }

  private async act(what: string, run: (api: LoopwatchApi) => Promise<string | { message: string }>): Promise<void> {
    const api = this.api()
    if (!api || this.retrying) return
    this.retrying = what
    try {
      const out = await run(api)
      this.lastFailedCount = null // the page is reloaded with the status
      await this.poll()
      // Said after the status, which clears an older poll's error.
      if (typeof out === 'string') {
        this.notice = out
        this.error = null
      } else {
        this.notice = null
        this.error = out.message
      }
    } finally {
      this.retrying = null
    }
  }
}
