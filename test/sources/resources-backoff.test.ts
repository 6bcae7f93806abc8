// A connected process that lets `resources` time out is not asked on every 2 s poll forever: after
// a few timeouts in a row its asks are spaced out, doubling up to a cap, and any answer brings the
// poll back. Real hub and socket; the hub's command timeouts and the backoff run on one virtual
// clock, advanced by hand (no sleeps).
import { describe, expect, it } from 'vitest'
import { ExternalSources, RESOURCES_POLL_TIMEOUT_MS } from '../../src/main/sources/external-sources'
import { BACKOFF_FIRST_MS, BACKOFF_MAX_MS, TIMEOUTS_BEFORE_BACKOFF } from '../../src/main/sources/optional-commands'
import type { Timers } from '../../src/main/monitor/throttle'
import type { AgentHub } from '../../src/main/hub/index'
import { LOOP_MAIN, RawAgent, eventually, startHub } from '../hub/hub-helper'

/** The renderer's resources poll while no Resources tab is open. */
const POLL_MS = 2_000

/** Timers on a clock that moves only when `advance` is called; due callbacks run in time order. */
class VirtualTimers implements Timers {
  private t = 0
  private nextId = 1
  private readonly due = new Map<number, { at: number; fn: () => void }>()
  readonly now = (): number => this.t
  readonly setTimeout = (fn: () => void, ms: number): unknown => {
    const id = this.nextId++
    this.due.set(id, { at: this.t + Math.max(0, ms), fn })
    return id
  }
  readonly clearTimeout = (h: unknown): void => void this.due.delete(h as number)
  advance(ms: number): void {
    const end = this.t + ms
    for (;;) {
      const next = [...this.due].filter(([, d]) => d.at <= end).sort((a, b) => a[1].at - b[1].at || a[0] - b[0])[0]
      if (!next) break
      this.due.delete(next[0])
      this.t = next[1].at
      next[1].fn()
    }
    this.t = end
  }
}

async function watchedSource(timers: VirtualTimers) {
  const hub = await startHub({ timers })
  const sources = new ExternalSources({ emit: () => {}, onSources: () => {}, now: timers.now })
  sources.attach(hub)
  const { agent, sourceId } = await RawAgent.hello(hub, { name: 'busy', runtime: { kind: 'node', version: '20' } })
  agent.send(LOOP_MAIN)
  await eventually(() => (hub.source(sourceId)?.loops.length ?? 0) > 0)
  return { hub, sources, agent, sourceId }
}

/** Counts the resources commands the hub sends, with the virtual time each went out at. */
function countAsks(hub: AgentHub, timers: VirtualTimers): number[] {
  const at: number[] = []
  const send = hub.sendCommand.bind(hub)
  hub.sendCommand = ((sourceId, command, opts) => {
    if (command.type === 'resources') at.push(timers.now())
    return send(sourceId, command, opts)
  }) as AgentHub['sendCommand']
  return at
}

/**
 * One poll: loop:resources, then the virtual clock moves past the command timeout (an unanswered
 * ask resolves as command_timeout) and on to the next poll. With an agent that answers, the answer
 * is awaited over the socket first (the virtual timeout must not overtake it).
 */
async function poll(sources: ExternalSources, timers: VirtualTimers, answers = false): Promise<void> {
  const asked = sources.resources(null)
  if (answers) await asked
  timers.advance(RESOURCES_POLL_TIMEOUT_MS)
  await asked
  timers.advance(POLL_MS - RESOURCES_POLL_TIMEOUT_MS)
}

describe('a source whose resources command times out', () => {
  it('is asked on every poll for its first timeouts, then at doubling gaps up to the cap, not on every poll', async () => {
    const timers = new VirtualTimers()
    const { hub, sources } = await watchedSource(timers)
    const asks = countAsks(hub, timers)
    const polls = 300 // ten virtual minutes
    for (let i = 0; i < polls; i++) await poll(sources, timers)

    // Every poll asked before: one command (and one 1.5 s wait) each.
    expect(asks.length).toBeLessThan(polls / 10)
    const gaps = asks.slice(1).map((t, i) => t - asks[i]!)
    // The first TIMEOUTS_BEFORE_BACKOFF asks come a poll apart …
    expect(gaps.slice(0, TIMEOUTS_BEFORE_BACKOFF - 1)).toEqual(Array(TIMEOUTS_BEFORE_BACKOFF - 1).fill(POLL_MS))
    // … then each gap is the backoff (doubling from BACKOFF_FIRST_MS, capped), rounded up to a poll.
    const backoff = gaps.slice(TIMEOUTS_BEFORE_BACKOFF - 1)
    backoff.forEach((gap, k) => {
      const want = Math.min(BACKOFF_MAX_MS, BACKOFF_FIRST_MS * 2 ** k)
      expect(gap).toBeGreaterThanOrEqual(want)
      expect(gap).toBeLessThan(want + POLL_MS)
    })
    // It reached the cap and stayed there: still asked, once a minute.
    expect(backoff.slice(-2).every((gap) => gap >= BACKOFF_MAX_MS && gap < BACKOFF_MAX_MS + POLL_MS)).toBe(true)
  })

  it('is polled again on every poll once it answers', async () => {
    const timers = new VirtualTimers()
    const { hub, sources, agent } = await watchedSource(timers)
    const asks = countAsks(hub, timers)
    // Silent until the backoff has grown past a few polls.
    for (let i = 0; i < 40; i++) await poll(sources, timers)
    const silent = asks.length
    expect(silent).toBeLessThan(40)
    // From now on it answers every resources command it gets.
    agent.socket.on('data', () => {
      for (const m of agent.lines.splice(0)) if (m.type === 'resources') agent.send({ type: 'result', id: m.id, ok: true, value: { loops: [] } })
    })
    agent.lines.splice(0)
    // The next ask comes within the cap; it is answered, and the 10 polls after it all ask.
    let polls = 0
    while (asks.length === silent && polls++ < BACKOFF_MAX_MS / POLL_MS + 1) await poll(sources, timers, true)
    expect(asks.length).toBe(silent + 1)
    for (let i = 0; i < 10; i++) await poll(sources, timers, true)
    expect(asks.length).toBe(silent + 11)
  })

  it('one that answers unknown_command instead is not asked again at all (as before)', async () => {
    const timers = new VirtualTimers()
    const { hub, sources, agent } = await watchedSource(timers)
    const asks = countAsks(hub, timers)
    agent.socket.on('data', () => {
      for (const m of agent.lines.splice(0)) {
        if (m.type === 'resources') agent.send({ type: 'result', id: m.id, ok: false, error: { code: 'unknown_command', message: 'no resources here' } })
      }
    })
    for (let i = 0; i < 5; i++) await poll(sources, timers, true)
    expect(asks).toHaveLength(1)
  })
})
