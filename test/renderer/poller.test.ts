// The renderer's one poll loop (state/poller.ts) and the resources' pacing on it, on fake timers:
// polls only while watched, never two requests at once, the fastest watcher's pace, slower after
// failures; resources often while a view shows them, slowly for the banner, not at all when nothing waits.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { Poller } from '../../src/renderer/src/state/poller'
import { RESOURCES_BACKGROUND_POLL_MS, RESOURCES_POLL_MS, ResourcesState, anyWaiting } from '../../src/renderer/src/state/resources.svelte'
import type { LoopwatchApi } from '../../src/shared/contract'

/** A poll that takes `ms` (fake time) and answers `ok`; records when each started and how many ran at once. */
function slowPoll(ms: number) {
  const p = { starts: [] as number[], live: 0, maxLive: 0, ok: true, ms }
  const once = async () => {
    p.starts.push(Date.now())
    p.live++
    p.maxLive = Math.max(p.maxLive, p.live)
    if (p.ms > 0) await new Promise((r) => setTimeout(r, p.ms))
    p.live--
    if (p.ok === false) throw new Error('down')
    return true
  }
  return { p, once }
}

describe('Poller', () => {
  beforeEach(() => {
    vi.useFakeTimers()
    vi.setSystemTime(0)
  })
  afterEach(() => void vi.useRealTimers())

  it('polls only while watched: at once, then every interval after each poll ends; the last unwatch stops it', async () => {
    const { p, once } = slowPoll(100)
    const poller = new Poller(once, { intervalMs: 400 })
    await vi.advanceTimersByTimeAsync(5_000)
    expect(p.starts).toEqual([])
    const unwatch = poller.watch()
    await vi.advanceTimersByTimeAsync(1_500)
    // 5000 → ends 5100, next at 5500 → ends 5600, next at 6000 → ends 6100, next at 6500.
    expect(p.starts).toEqual([5000, 5500, 6000, 6500])
    unwatch()
    unwatch() // idempotent
    await vi.advanceTimersByTimeAsync(5_000)
    expect(p.starts).toHaveLength(4) // the one in flight landed; no other started
    expect(poller.watching).toBe(false)
  })

  it('never runs two polls at once: a poll asked for meanwhile runs after the one in flight, once', async () => {
    const { p, once } = slowPoll(300)
    const poller = new Poller(once, { intervalMs: 1_000 })
    const unwatch = poller.watch()
    const a = poller.pollNow()
    const b = poller.pollNow()
    await vi.advanceTimersByTimeAsync(0)
    expect(p.live).toBe(1)
    await vi.advanceTimersByTimeAsync(700)
    await Promise.all([a, b])
    expect(p.maxLive).toBe(1)
    // The first (0–300), then one more for both askers (300–600); the next at 1600.
    expect(p.starts).toEqual([0, 300])
    await vi.advanceTimersByTimeAsync(1_000)
    expect(p.starts).toEqual([0, 300, 1600])
    unwatch()
  })

  it('goes at the fastest watcher\'s pace, polls at once when a faster one comes, slows again when it leaves', async () => {
    const { p, once } = slowPoll(0)
    const poller = new Poller(once, { intervalMs: 2_000 })
    const slow = poller.watch()
    await vi.advanceTimersByTimeAsync(4_500)
    expect(p.starts).toEqual([0, 2000, 4000])
    const fast = poller.watch(400)
    await vi.advanceTimersByTimeAsync(1_000)
    expect(p.starts).toEqual([0, 2000, 4000, 4500, 4900, 5300])
    fast()
    await vi.advanceTimersByTimeAsync(4_000)
    // The wait already armed (400) runs out, then the slow pace again.
    expect(p.starts.slice(6)).toEqual([5700, 7700])
    // A slower watcher joining a fast poll does not poll at once.
    const n = p.starts.length
    poller.watch(10_000)
    await vi.advanceTimersByTimeAsync(0)
    expect(p.starts).toHaveLength(n)
    slow()
  })

  it('backs off after failures in a row (doubling, up to the cap) and is back at its pace after a success', async () => {
    const { p, once } = slowPoll(0)
    const errors: unknown[] = []
    const poller = new Poller(once, { intervalMs: 100, maxBackoffMs: 500, onError: (e) => errors.push(e) })
    p.ok = false
    poller.watch()
    await vi.advanceTimersByTimeAsync(2_000)
    // Waits 200, 400, 500, 500, …
    expect(p.starts.slice(0, 5)).toEqual([0, 200, 600, 1100, 1600])
    expect(errors.length).toBe(p.starts.length)
    p.ok = true
    await vi.advanceTimersByTimeAsync(1_000)
    const after = p.starts.filter((t) => t > 2_000)
    // The first success comes at the backed-off time; then every 100 ms.
    expect(after.slice(1).map((t, i) => t - after[i]!)).toEqual(after.slice(1).map(() => 100))
  })

  it('a poll that answers false counts as a failure too', async () => {
    let calls = 0
    const poller = new Poller(async () => (calls++, false), { intervalMs: 100 })
    poller.watch()
    await vi.advanceTimersByTimeAsync(1_000)
    // 0, 200, 600 (then 1400: the default cap is 8× the pace).
    expect(calls).toBe(3)
    poller.stop()
  })
})

describe('ResourcesState pacing (issue 11 §3)', () => {
  beforeEach(() => {
    vi.useFakeTimers()
    vi.setSystemTime(0)
  })
  afterEach(() => void vi.useRealTimers())

  function fakeApi() {
    const at: number[] = []
    const api = {
      invoke: async (channel: string) => {
        if (channel !== 'loop:resources') throw new Error(channel)
        at.push(Date.now())
        return { ok: true, value: { loops: [] } }
      },
      on: () => () => {},
    } as unknown as LoopwatchApi
    return { api, at }
  }

  it('asks every 400 ms while a view shows the resources, every 2 s for the banner alone', async () => {
    const { api, at } = fakeApi()
    const r = new ResourcesState(() => api, { anyWaiting: () => true })
    const banner = r.watch('background')
    await vi.advanceTimersByTimeAsync(6_000)
    expect(at).toEqual([0, 2000, 4000, 6000])
    const tab = r.watch('view')
    await vi.advanceTimersByTimeAsync(1_000)
    expect(at.slice(4)).toEqual([6000, 6400, 6800])
    expect(at.slice(4).map((t, i, a) => (i === 0 ? 0 : t - a[i - 1]!))).toEqual([0, RESOURCES_POLL_MS, RESOURCES_POLL_MS])
    tab()
    const n = at.length
    await vi.advanceTimersByTimeAsync(RESOURCES_BACKGROUND_POLL_MS * 2 + RESOURCES_POLL_MS)
    expect(at.length - n).toBe(3) // the armed 400 ms wait, then two at the slow pace
    banner()
    await vi.advanceTimersByTimeAsync(10_000)
    expect(at.length - n).toBe(3)
  })

  it('the banner alone asks nobody while no task waits, yet its detection still runs each poll; a view always asks', async () => {
    const { api, at } = fakeApi()
    let waiting = false
    const r = new ResourcesState(() => api, { anyWaiting: () => waiting })
    r.watch('background')
    await vi.advanceTimersByTimeAsync(4_000)
    expect(at).toEqual([])
    expect(r.polls).toBe(3)
    waiting = true
    await vi.advanceTimersByTimeAsync(2_000)
    expect(at).toEqual([6000])
    waiting = false
    const tab = r.watch('view')
    await vi.advanceTimersByTimeAsync(800)
    expect(at).toEqual([6000, 6000, 6400, 6800])
    tab()
  })

  it('anyWaiting looks at live loops\' counts, not a replay\'s', () => {
    expect(anyWaiting(new Map([['run-1', { done: 3 }]]))).toBe(false)
    expect(anyWaiting(new Map([['replay-4', { waiting: 2 }]]))).toBe(false)
    expect(anyWaiting(new Map([['run-1', { done: 1 }], ['agent-2/main', { waiting: 1 }]]))).toBe(true)
  })
})
