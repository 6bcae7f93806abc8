// The agent protocol over Redis streams, in one process: a real redis-server, the hub's
// RedisTransport and an AgentConnection over the agent's redis transport.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { AgentConnection } from '../../src/agent/connection'
import { redisTransport } from '../../src/agent/redis-transport'
import { delta, snapshot, startHub } from '../hub/hub-helper'
import { redisSkipReason, startRedis } from '../support/redis'
import type { TestRedis } from '../support/redis'
import { pollUntil } from '../queue/fleet-helper'

const SECRET = 'test-secret-0123456789abcdef'

describe.skipIf(redisSkipReason !== null)(`Redis-streams transport${redisSkipReason ? ` (${redisSkipReason})` : ''}`, () => {
  let redis: TestRedis
  beforeAll(async () => void (redis = await startRedis()))
  afterAll(async () => void (await redis?.stop()))

  it('an agent over Redis becomes a source, its messages validated by the same session; a command reaches it and its answer comes back', { timeout: 30_000 }, async () => {
    const hub = await startHub({ redis: { url: redis.url, secret: SECRET } })
    const t = redisTransport({ url: redis.url, secret: SECRET, sourceKey: 'w1' })
    const commands: unknown[] = []
    const conn = new AgentConnection({
      identity: { name: 'redis worker', pid: 4242, runtime: { kind: 'node', version: process.versions.node }, clock: { kind: 'real' } },
      locate: t.locate,
      connect: t.connect,
      onCommand: (c) => {
        commands.push(c)
        return snapshot(3, { name: 'job', state: 'cancelling' })
      },
    })
    conn.start()
    await pollUntil(() => hub.sources().some((s) => s.name === 'redis worker' && s.state === 'connected'), 10_000, 'the source')
    conn.send({ type: 'loop:added', loop: 'main', clock: { kind: 'real' } })
    conn.send(delta(1, { created: [snapshot(3, { name: 'job' })] }))
    await pollUntil(() => hub.sources()[0]!.loops.length === 1 && hub.sources()[0]!.taskCount === 1, 5_000, 'its loop and task')
    const id = hub.sources()[0]!.id
    const outcome = await hub.sendCommand(id, { type: 'cancel', taskId: 3, reason: 'from the window' })
    expect(commands).toEqual([{ type: 'cancel', id: 1, taskId: 3, reason: 'from the window' }])
    expect(outcome).toMatchObject({ ok: true, value: { id: 3, state: 'cancelling' } })
    // A task the source never created is refused by the hub; nothing goes down.
    expect(await hub.sendCommand(id, { type: 'cancel', taskId: 99, reason: null })).toMatchObject({ ok: false, error: { code: 'unknown_task' } })
    await conn.close({ code: 0, reason: 'done' })
    await t.dispose()
    await pollUntil(() => hub.sources()[0]!.state === 'exited', 5_000, 'exited')
  })

  it('an agent reconnects to an app that restarted and shows its state again (the resync), as over TCP', { timeout: 40_000 }, async () => {
    // The first app turns Redis on after it started (as when the jobs daemon is given a URL).
    const first = await startHub()
    expect(first.redis).toBe(null)
    first.useRedis({ url: redis.url, secret: SECRET })
    expect(() => first.useRedis({ url: redis.url, secret: SECRET })).toThrow('already takes agents over Redis')
    const t = redisTransport({ url: redis.url, secret: SECRET, sourceKey: 'again', hubSilentMs: 2_000 })
    const statuses: string[] = []
    const conn = new AgentConnection({
      identity: { name: 'comes back', pid: 7, runtime: { kind: 'node', version: '22' }, clock: { kind: 'real' } },
      ...t,
      onCommand: () => null,
      backoff: { initialMs: 100, maxMs: 500 },
      onStatus: (s) => statuses.push(s.state),
      snapshot: () => [{ type: 'loop:added', loop: 'main', clock: { kind: 'real' } }, delta(1, { created: [snapshot(1, { name: 'resent' })] })],
    })
    conn.start()
    await pollUntil(() => first.sources().some((s) => s.state === 'connected'), 10_000, 'connected to the first app')
    await first.close()
    expect(first.sources()[0]!.state).toBe('lost')
    const second = await startHub({ redis: { url: redis.url, secret: SECRET } })
    await pollUntil(() => second.sources().some((s) => s.name === 'comes back' && s.state === 'connected' && s.taskCount === 1), 15_000, 'back on the second app with its task')
    expect(second.tasks(second.sources()[0]!.id).map((x) => x.task.name)).toEqual(['resent'])
    expect(statuses).toContain('waiting')
    await conn.close({ code: 0, reason: 'done' })
    await t.dispose()
  })
})
