// Hostile entries on Redis: unsigned, wrongly signed, replayed, garbage, oversized, unknown ids,
// strangers on discovery. Each gets a typed error (or is dropped and counted when nobody can vouch
// for it), changes nothing, and never touches a healthy worker's source.
import { Redis } from 'ioredis'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { AgentConnection } from '../../src/agent/connection'
import { redisTransport } from '../../src/agent/redis-transport'
import { DISCOVERY_STREAM, STREAM_TTL_MS, downStream, signEntry, upStream } from '../../src/main/hub/redis-wire'
import { delta, snapshot, startHub } from '../hub/hub-helper'
import { pollUntil } from '../queue/fleet-helper'
import { redisSkipReason, startRedis } from '../support/redis'
import type { TestRedis } from '../support/redis'
import { RawRedisAgent } from './raw-redis-agent'

const SECRET = 'abuse-test-secret-0123456789'

describe.skipIf(redisSkipReason !== null)(`Redis transport against bad entries${redisSkipReason ? ` (${redisSkipReason})` : ''}`, () => {
  let redis: TestRedis
  let client: Redis
  beforeAll(async () => {
    redis = await startRedis()
    client = new Redis(redis.url)
  })
  afterAll(async () => {
    client?.disconnect()
    await redis?.stop()
  })

  it('garbage, oversized and unknown-id entries get typed errors and leave a healthy source untouched; the hub stays up', { timeout: 60_000 }, async () => {
    const hub = await startHub({ redis: { url: redis.url, secret: SECRET, lostAfterMs: 60_000 }, limits: { maxBadMessages: 20 } })
    // A healthy worker over the real agent transport, with one live task.
    const t = redisTransport({ url: redis.url, secret: SECRET, sourceKey: 'good' })
    const good = new AgentConnection({
      identity: { name: 'good', pid: 1, runtime: { kind: 'node', version: '22' }, clock: { kind: 'real' } },
      ...t,
      onCommand: () => snapshot(7, { name: 'steady', state: 'cancelled' }),
    })
    good.start()
    await pollUntil(() => hub.sources().some((s) => s.name === 'good' && s.state === 'connected'), 10_000, 'the good source')
    good.send({ type: 'loop:added', loop: 'main', clock: { kind: 'real' } })
    good.send(delta(1, { created: [snapshot(7, { name: 'steady' })] }))
    const goodSource = () => hub.sources().find((s) => s.name === 'good')!
    await pollUntil(() => goodSource().taskCount === 1, 5_000, 'its task')
    // Both of its streams expire unless written to again: a worker long gone leaves no keys.
    for (const key of [upStream('good'), downStream('good')]) {
      const ttl = await client.pttl(key)
      expect(ttl).toBeGreaterThan(STREAM_TTL_MS - 60_000)
      expect(ttl).toBeLessThanOrEqual(STREAM_TTL_MS)
    }

    // A misbehaving agent that knows the secret: each bad message gets its typed error.
    const bad = new RawRedisAgent(client, 'bad', SECRET)
    await bad.hello()
    await pollUntil(async () => (await bad.down()).some((m) => m.type === 'welcome'), 10_000, 'bad welcomed')
    await bad.line('not json')
    await bad.line(JSON.stringify({ type: 'tasks:delta', delta: { ...delta(1, { changed: [snapshot(99)] }).delta } }))
    await bad.line(JSON.stringify({ type: 'result', id: 12345, ok: true, value: null }))
    await bad.line(JSON.stringify({ type: 'no-such-message' }))
    const codes = async () => (await bad.down()).filter((m) => m.type === 'error').map((m) => (m as { code: string }).code)
    await pollUntil(async () => (await codes()).length >= 4, 10_000, 'four errors')
    expect(await codes()).toEqual(['bad_json', 'unknown_task', 'unknown_command', 'bad_message'])
    const badSource = () => hub.sources().find((s) => s.name === 'bad')!
    expect(badSource().errors).toBe(4)
    expect(badSource().taskCount).toBe(0)

    // Entries nobody can vouch for: dropped and counted, answered at most once a second, never
    // counted against the session (a stranger cannot get a worker disconnected).
    await bad.raw('m', JSON.stringify({ type: 'bye', code: 0, reason: 'forged' }))
    await bad.raw('c', bad.connection, 'n', '999', 'm', '{"type":"ping","id":1}', 'h', 'forged')
    await bad.line('{"type":"ping","id":2}', 0) // a replay: sequence number 0 was the hello's
    await bad.raw('c', bad.connection, 'n', '1000', 'm', 'x'.repeat(5 << 20), 'h', 'whatever')
    for (let i = 0; i < 30; i++) await client.xadd(upStream('good'), '*', 'm', `junk ${i}`)
    await pollUntil(() => hub.redis!.stats.unsigned >= 33 && hub.redis!.stats.oversized >= 1, 10_000, 'the strangers counted')
    expect(badSource().state).toBe('connected')
    expect(badSource().errors).toBe(4)
    const warnings = (await bad.down()).filter((m) => m.type === 'error').slice(4)
    expect(warnings.length).toBeGreaterThanOrEqual(1)
    expect(warnings.length).toBeLessThanOrEqual(2) // once a second at most, whatever the flood
    expect(warnings[0]).toMatchObject({ code: 'bad_message', fatal: false })
    expect((warnings[0] as { message: string }).message).toContain('not signed for this connection')
    expect(goodSource()).toMatchObject({ state: 'connected', taskCount: 1, errors: 0 })
    // What the hub has read is trimmed: a writer ignoring MAXLEN cannot grow the stream behind it.
    await pollUntil(async () => (await client.xlen(upStream('good'))) <= 1, 5_000, 'the good up stream trimmed')

    // Discovery garbage: unsigned, wrong secret, a bad key, a huge entry: nothing new appears.
    const before = hub.sources().length
    await client.xadd(DISCOVERY_STREAM, '*', 'k', 'x', 'c', 'y', 'at', '1-0', 'h', 'nope')
    await client.xadd(DISCOVERY_STREAM, '*', 'k', '../../etc', 'c', 'y', 'at', '1-0', 'h', signEntry(SECRET, 'discovery', '../../etc', 'y', 0, '1-0'))
    await client.xadd(DISCOVERY_STREAM, '*', 'junk', 'y'.repeat(5 << 20))
    const stranger = new RawRedisAgent(client, 'stranger', 'a-different-secret-0123456789')
    await stranger.hello()
    await pollUntil(() => hub.redis!.stats.unsigned >= 36 && hub.redis!.stats.oversized >= 2, 10_000, 'discovery garbage counted')
    expect(hub.sources().length).toBe(before)
    expect(await stranger.down()).toEqual([])

    // A signed agent that keeps sending bad messages is disconnected (too_many_errors) and reads lost.
    for (let i = 0; i < 16; i++) await bad.line('{')
    await pollUntil(async () => (await bad.down()).some((m) => m.type === 'error' && m.code === 'too_many_errors' && m.fatal), 10_000, 'too_many_errors')
    await pollUntil(() => badSource().state === 'lost', 5_000, 'bad lost')
    expect(goodSource()).toMatchObject({ state: 'connected', taskCount: 1, errors: 0 })
    // The healthy one still takes commands.
    expect((await hub.sendCommand(goodSource().id, { type: 'cancel', taskId: 7, reason: 'still here' })).ok).toBe(true)
    await good.close({ code: 0, reason: 'done' })
    await t.dispose()
  })

  it('a hello with another secret is refused bad_token; a silent worker reads lost', { timeout: 30_000 }, async () => {
    const hub = await startHub({ redis: { url: redis.url, secret: SECRET, lostAfterMs: 800 } })
    // Signed entries with the right secret but a token for another key: the hub's token check refuses it.
    const odd = new RawRedisAgent(client, 'odd', SECRET)
    const at = await odd.line(JSON.stringify({ type: 'hello', protocol: 1, token: 'not-the-derived-token', name: 'odd', pid: 1, runtime: { kind: 'node', version: '22' }, clock: { kind: 'real' } }))
    await client.xadd(DISCOVERY_STREAM, '*', 'k', 'odd', 'c', odd.connection, 'at', at, 'h', signEntry(SECRET, 'discovery', 'odd', odd.connection, 0, at))
    await pollUntil(async () => (await odd.down()).some((m) => m.type === 'refused' && m.code === 'bad_token'), 10_000, 'bad_token')
    expect(hub.sources()).toEqual([])
    // Welcomed, then silent (no heartbeat): lost after lostAfterMs, as a dropped TCP connection.
    const quiet = new RawRedisAgent(client, 'quiet', SECRET)
    await quiet.hello()
    await pollUntil(() => hub.sources().some((s) => s.name === 'quiet' && s.state === 'connected'), 10_000, 'quiet connected')
    await pollUntil(() => hub.sources().find((s) => s.name === 'quiet')!.state === 'lost', 10_000, 'quiet lost')
  })
})
