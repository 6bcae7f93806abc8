// The agent protocol over Redis streams, in one process: a real redis-server, the hub's
// RedisTransport and an AgentConnection over the agent's redis transport.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { AgentConnection } from '../../src/agent/connection'
import { redisTransport } from '../../src/agent/redis-transport'
import { startHub } from '../hub/hub-helper'
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
    const conn = new AgentConnection({
      identity: { name: 'redis worker', pid: 4242, runtime: { kind: 'node', version: process.versions.node }, clock: { kind: 'real' } },
      locate: t.locate,
      connect: t.connect,
      onCommand: (c) => ({ got: c.type }),
    })
    conn.start()
    await pollUntil(() => hub.sources().some((s) => s.name === 'redis worker' && s.state === 'connected'), 10_000, 'the source')
    conn.send({ type: 'loop:added', loop: 'main', clock: { kind: 'real' } })
    await pollUntil(() => hub.sources()[0]!.loops.length === 1, 5_000, 'its loop')
    await conn.close({ code: 0, reason: 'done' })
    await t.dispose()
    await pollUntil(() => hub.sources()[0]!.state === 'exited', 5_000, 'exited')
  })
})
