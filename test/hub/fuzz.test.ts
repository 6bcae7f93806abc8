// ≥ 10,000 hostile lines from several agents at once against one hub, beside a healthy agent whose
// final state must equal its state from a run without them. Reproduce a failure with the printed
// seed: LOOPWATCH_FUZZ_SEED=<seed> npx vitest run test/hub/fuzz.test.ts
import { describe, expect, it } from 'vitest'
import type { HubMessage } from '../../src/shared/agent-protocol/index'
import type { SourceInfo, SourceLog, SourceTask } from '../../src/main/hub/index'
import { prng } from '../support/prng'
import { FUZZ_KINDS, FuzzGenerator } from './fuzz-messages'
import type { FuzzKind } from './fuzz-messages'
import { LOOP_MAIN, RawAgent, delta, hello, snapshot } from './hub-helper'
import { RemoteHub } from './remote-hub'

const SEED = Number(process.env.LOOPWATCH_FUZZ_SEED ?? 20_261_201)
const FUZZERS = 4
const PER_FUZZER = 2_600
const BATCH = 8
const PROBE = 1_000_000_000

/** Next line from the hub, or null once the connection is closed and nothing is left to read. */
async function nextOrClosed(agent: RawAgent): Promise<HubMessage | null> {
  while (agent.lines.length === 0 && !agent.closed) await new Promise<void>((r) => agent.socket.once('data', () => r()).once('close', () => r()))
  return agent.lines.shift() ?? null
}

interface Stats {
  sent: number
  byKind: Record<FuzzKind | 'bad-hello' | 'oversized', number>
  errorsAnswered: number
  accepted: number
  unansweredAfterDisconnect: number
  disconnects: number
  refusals: number
  partialCloses: number
  connections: number
}

async function fuzzer(hub: { port: number; token: string }, k: number, stats: Stats): Promise<void> {
  const gen = new FuzzGenerator(prng(SEED + k))
  let sent = 0
  let connections = 0
  while (sent < PER_FUZZER) {
    const agent = await RawAgent.connect(hub.port)
    stats.connections++
    connections++
    const oversized = k === 0 && (connections === 5 || connections === 25)
    if (!oversized && gen.rand() < 0.05) {
      // A hostile first line: refused, nothing shown.
      const bad = gen.line(hub.token)
      agent.write(Buffer.concat([bad.bytes, Buffer.from('\n')]))
      const answer = await nextOrClosed(agent)
      expect(answer?.type, `seed ${SEED}: a hostile hello must be refused`).toBe('refused')
      await agent.done
      stats.byKind['bad-hello']++
      stats.refusals++
      stats.sent++
      sent++
      continue
    }
    agent.send(hello(hub.token, { name: `fuzz-${k}` }))
    expect((await agent.next()).type).toBe('welcome')
    if (gen.rand() < 0.5) agent.send(LOOP_MAIN)
    if (oversized) {
      // A line past the 4 MiB bound, sent as one 5 MiB write: line_too_long, then a disconnect.
      agent.write(Buffer.alloc(5 << 20, 0x7a))
      const answer = await nextOrClosed(agent)
      expect(answer).toMatchObject({ type: 'error', code: 'line_too_long', fatal: true })
      await agent.done
      stats.byKind.oversized++
      stats.errorsAnswered++
      stats.disconnects++
      stats.sent++
      sent++
      continue
    }
    while (!agent.closed && sent < PER_FUZZER) {
      const batch = Array.from({ length: BATCH }, () => gen.line(hub.token))
      for (const [i, line] of batch.entries()) {
        if (line.pieces) {
          for (const piece of line.pieces) {
            agent.write(piece)
            await new Promise<void>((r) => setImmediate(r))
          }
          agent.write('\n')
        } else agent.write(Buffer.concat([line.bytes, Buffer.from('\n')]))
        agent.send({ type: 'ping', id: PROBE + i })
      }
      let lastLine: HubMessage | null = null
      for (const [i, line] of batch.entries()) {
        const answers: HubMessage[] = []
        let probed = false
        for (;;) {
          const m = await nextOrClosed(agent)
          if (m === null) break
          lastLine = m
          if (m.type === 'pong' && m.id === PROBE + i) {
            probed = true
            break
          }
          answers.push(m)
        }
        stats.sent++
        sent++
        stats.byKind[line.kind]++
        const errors = answers.filter((a) => a.type === 'error')
        expect(errors.length, `seed ${SEED}: one error per line at most (+ the fatal one)`).toBeLessThanOrEqual(2)
        if (errors.length > 0) stats.errorsAnswered++
        else if (probed) stats.accepted++
        else stats.unansweredAfterDisconnect++
        if (line.certainlyBad && probed) expect(errors.length, `seed ${SEED}: a ${line.kind} line must be answered with an error`).toBeGreaterThanOrEqual(1)
      }
      if (agent.closed) {
        // The hub hung up: it must have said why (a fatal error) before doing so.
        expect(lastLine, `seed ${SEED}: a disconnect comes after a fatal error`).toMatchObject({ type: 'error', fatal: true })
        stats.disconnects++
      } else if (gen.rand() < 0.15) break
    }
    if (!agent.closed) {
      // End a connection mid-line now and then: the hub must treat it as lost, not wait.
      if (gen.rand() < 0.5) {
        agent.write('{"type":"log","stream":"std')
        stats.partialCloses++
      }
      agent.socket.end()
      await agent.done
    }
  }
}

/** A healthy agent's deterministic session: 200 deltas, a command round trip, then pings until told to stop. */
async function healthy(hub: RemoteHub, keepGoing: () => boolean) {
  const { agent, sourceId } = await RawAgent.hello(hub, { name: 'healthy', pid: 1 })
  agent.send(LOOP_MAIN)
  let pings = 0
  let slowestPingMs = 0
  const ping = async () => {
    const t0 = performance.now()
    expect(await agent.ping(++pings), `seed ${SEED}: the healthy agent gets no error`).toEqual([])
    slowestPingMs = Math.max(slowestPingMs, performance.now() - t0)
  }
  for (let i = 1; i <= 200; i++) {
    agent.send(
      delta(i, {
        created: [snapshot(i)],
        changed: i > 1 ? [snapshot(i - 1, { state: 'waiting', awaiting: { kind: 'sleep', text: 'sleep 1.0 s', taskId: null } })] : [],
        ended: i > 2 ? [snapshot(i - 2, { state: 'done', endedAt: { loop: i, wall: 2 } })] : [],
        logs: [{ seq: i, loop: 'main', runId: null, taskId: i, taskName: `task-${i}`, t: i, wall: 2, stream: 'stdout', line: `line ${i}` }],
        clocks: [{ loop: 'main', now: i, wall: 2, rate: 1 }],
        segments: [{ taskId: i, first: 0, segments: [{ state: 'running', from: 0, to: i }], open: { state: 'waiting', from: i } }],
      }),
    )
    if (i % 10 === 0) await ping()
    if (i === 100) {
      const outcome = hub.call('sendCommand', sourceId, { type: 'cancel', taskId: 100, reason: 'fuzz' })
      const command = await agent.next()
      expect(command).toMatchObject({ type: 'cancel', taskId: 100 })
      agent.send({ type: 'result', id: command.type === 'cancel' ? command.id : 0, ok: true, value: snapshot(100, { state: 'cancelling' }) })
      expect(await outcome).toMatchObject({ ok: true, value: { state: 'cancelling' } })
    }
  }
  while (keepGoing()) {
    await ping()
    await new Promise((r) => setTimeout(r, 20))
  }
  const { id: _id, connectedWall: _w, ...info } = await hub.call<SourceInfo>('source', sourceId)
  const tasks = (await hub.call<SourceTask[]>('tasks', sourceId)).map((t) => t.task)
  return { state: { info, tasks, logs: await hub.call<SourceLog[]>('logs', sourceId) }, pings, slowestPingMs }
}

describe('hub fuzz', () => {
  it('survives ≥ 10,000 hostile lines from several agents: each answered or disconnected, a healthy source unaffected', { timeout: 120_000 }, async () => {
    console.log(`hub fuzz seed ${SEED} (LOOPWATCH_FUZZ_SEED to reproduce)`)
    const alone = await healthy(await RemoteHub.start(), () => false)

    // The hub runs in its own process: its heap is its own, and a crash would end that process.
    const hub = await RemoteHub.start()
    const stats: Stats = {
      sent: 0,
      byKind: Object.fromEntries([...FUZZ_KINDS, 'bad-hello', 'oversized'].map((k) => [k, 0])) as Stats['byKind'],
      errorsAnswered: 0,
      accepted: 0,
      unansweredAfterDisconnect: 0,
      disconnects: 0,
      refusals: 0,
      partialCloses: 0,
      connections: 0,
    }
    type Memory = { heapUsed: number; arrayBuffers: number; rss: number }
    const atStart = await hub.call<Memory>('peakMemory')
    const t0 = performance.now()
    let fuzzing = true
    const healthyRun = healthy(hub, () => fuzzing)
    await Promise.all(Array.from({ length: FUZZERS }, (_, k) => fuzzer(hub, k, stats)))
    fuzzing = false
    const beside = await healthyRun
    const peak = await hub.call<Memory>('peakMemory')
    const mb = (n: number) => Math.round(n / 2 ** 20)
    const seconds = (performance.now() - t0) / 1000

    console.log(
      JSON.stringify({ seed: SEED, seconds: Number(seconds.toFixed(1)), ...stats, hubMb: { heapAtStart: mb(atStart.heapUsed), peakHeap: mb(peak.heapUsed), peakBuffers: mb(peak.arrayBuffers), rssAtStart: mb(atStart.rss), peakRss: mb(peak.rss) }, healthyPings: beside.pings, slowestPingMs: Math.round(beside.slowestPingMs) }),
    )
    expect(stats.sent).toBeGreaterThanOrEqual(10_000)
    expect(stats.errorsAnswered + stats.accepted + stats.unansweredAfterDisconnect + stats.refusals).toBe(stats.sent)
    expect(stats.disconnects).toBeGreaterThan(0)
    expect(beside.pings).toBeGreaterThan(20)
    expect(beside.state).toEqual(alone.state)
    // The hub process never exited, still answers, and nothing of the fuzzers is connected.
    expect(hub.exit, hub.stderr).toBeNull()
    expect(await hub.call('connections')).toMatchObject({ open: 1 })
    const sources = await hub.call<SourceInfo[]>('sources')
    expect(sources.filter((s) => s.state === 'connected').map((s) => s.name)).toEqual(['healthy'])
    // Bounded: the line bound (4 MiB) per connection and 32 kept sources, not the 10,000 lines.
    expect(peak.heapUsed).toBeLessThan(atStart.heapUsed + (64 << 20))
    expect(peak.arrayBuffers).toBeLessThan(atStart.arrayBuffers + (64 << 20))
  })
})
