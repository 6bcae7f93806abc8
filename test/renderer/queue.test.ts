// The queue view's state: polls only while the view is open, one request at a time on the
// bounded interval, reloads the failed page when the failed count moves, and says what a retry did.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { QueueState, throughputColumns } from '../../src/renderer/src/state/queue.svelte'
import type { LoopwatchApi } from '../../src/shared/contract'
import { QUEUE_LIMITS } from '../../src/shared/queue-contract'
import type { QueueStatus } from '../../src/shared/queue-contract'

function status(failed: number): QueueStatus {
  return {
    backend: 'bullmq',
    queue: 'q',
    redis: 'redis://127.0.0.1:1',
    running: true,
    paused: false,
    counts: { waiting: 1, active: 2, completed: 3, failed, delayed: 0, prioritized: 0 },
    throughput: { perSecond: 1.5, perSecondSeries: [0, 1, 2], lastSecondWall: 10_000 },
    workers: [],
    error: null,
    wall: 10_500,
  }
}

function fakeApi() {
  const calls: string[] = []
  let failed = 2
  const api = {
    invoke: async (channel: string, payload?: unknown) => {
      calls.push(channel)
      if (channel === 'queue:status') return { ok: true, value: status(failed) }
      if (channel === 'queue:failed') return { ok: true, value: { backend: 'bullmq', total: failed, offset: (payload as { offset: number }).offset, jobs: [] } }
      if (channel === 'queue:retry') return (payload as { jobId: string }).jobId === 'gone' ? { ok: false, error: { code: 'not_found', message: 'no job "gone"' } } : { ok: true, value: { jobId: 'a', state: 'waiting' } }
      if (channel === 'queue:retryAll') return { ok: true, value: { retried: failed } }
      throw new Error(channel)
    },
    on: () => () => {},
  } as unknown as LoopwatchApi
  return { api, calls, setFailed: (n: number) => void (failed = n) }
}

describe('QueueState', () => {
  beforeEach(() => void vi.useFakeTimers())
  afterEach(() => void vi.useRealTimers())

  it('polls only while watched, every pollMs, and stops when the view closes', async () => {
    const { api, calls } = fakeApi()
    const q = new QueueState(() => api)
    await vi.advanceTimersByTimeAsync(5000)
    expect(calls).toEqual([]) // never opened: never asked
    const unwatch = q.watch()
    await vi.advanceTimersByTimeAsync(0)
    expect(calls).toEqual(['queue:status', 'queue:failed'])
    expect(q.status?.counts?.failed).toBe(2)
    await vi.advanceTimersByTimeAsync(QUEUE_LIMITS.pollMs * 3)
    expect(calls.filter((c) => c === 'queue:status')).toHaveLength(4)
    expect(calls.filter((c) => c === 'queue:failed')).toHaveLength(1) // the failed count did not move
    unwatch()
    const n = calls.length
    await vi.advanceTimersByTimeAsync(QUEUE_LIMITS.pollMs * 5)
    expect(calls.length).toBe(n)
  })

  it('reloads the failed page when the failed count moves; a retry says what it did or why not', async () => {
    const { api, calls, setFailed } = fakeApi()
    const q = new QueueState(() => api)
    const unwatch = q.watch()
    await vi.advanceTimersByTimeAsync(0)
    setFailed(5)
    await vi.advanceTimersByTimeAsync(QUEUE_LIMITS.pollMs)
    expect(q.failed?.total).toBe(5)
    await q.retry('gone')
    expect(q.error).toBe('no job "gone"')
    await q.retryAll()
    expect(q.notice).toBe('5 failed jobs waiting again')
    expect(q.error).toBeNull()
    expect(calls).toContain('queue:retryAll')
    unwatch()
  })

  it('turns the throughput series into chart columns, one point a second ending at the last second', () => {
    expect(throughputColumns(status(0))).toEqual([[8, 9, 10], [0, 1, 2]])
    expect(throughputColumns(null)).toEqual([[], []])
  })
})
