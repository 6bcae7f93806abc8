// The app turns the Redis transport on from the jobs daemon's settings: once the daemon runs with a
// Redis URL (and LOOPWATCH_REDIS_SECRET is set), workers on that Redis are shown.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { AgentConnection } from '../../src/agent/connection'
import { redisTransport } from '../../src/agent/redis-transport'
import { AppCore } from '../../src/main/app/app-core'
import { tempDataDir } from '../history/helpers'
import { pollUntil } from '../queue/fleet-helper'
import { redisSkipReason, startRedis } from '../support/redis'
import type { TestRedis } from '../support/redis'

const SECRET = 'app-core-secret-0123456789'

describe.skipIf(redisSkipReason !== null)(`the app and the Redis transport${redisSkipReason ? ` (${redisSkipReason})` : ''}`, () => {
  let redis: TestRedis
  const saved = { url: process.env['LOOPWATCH_REDIS_URL'], secret: process.env['LOOPWATCH_REDIS_SECRET'] }
  beforeAll(async () => {
    redis = await startRedis()
    delete process.env['LOOPWATCH_REDIS_URL']
    process.env['LOOPWATCH_REDIS_SECRET'] = SECRET
  })
  afterAll(async () => {
    for (const [k, v] of [['LOOPWATCH_REDIS_URL', saved.url], ['LOOPWATCH_REDIS_SECRET', saved.secret]] as const) {
      if (v === undefined) delete process.env[k]
      else process.env[k] = v
    }
    await redis?.stop()
  })

  it('reads Redis once the jobs daemon runs with a redisUrl, and shows a worker reporting there', { timeout: 40_000 }, async () => {
    const core = new AppCore({ dataDir: tempDataDir(), host: 'web' })
    try {
      const hub = (await core.hubReady)!
      expect(hub.redis).toBe(null)
      await core.daemons.start('jobs', { redisUrl: redis.url, queue: 'app-core', workers: 1, produceEveryMs: 1000 })
      await pollUntil(() => hub.redis !== null, 5_000, 'the Redis transport on')
      const t = redisTransport({ url: redis.url, secret: SECRET, sourceKey: 'remote' })
      const conn = new AgentConnection({ identity: { name: 'remote worker', pid: 9, runtime: { kind: 'node', version: '22' }, clock: { kind: 'real' } }, ...t, onCommand: () => null })
      conn.start()
      await pollUntil(() => hub.sources().some((s) => s.name === 'remote worker' && s.state === 'connected'), 10_000, 'the remote worker shown')
      await conn.close({ code: 0, reason: 'done' })
      await t.dispose()
    } finally {
      await core.close(500)
    }
  })
})
