// When the app turns the Redis transport on: a URL and a usable shared secret, else off with why.
import { describe, expect, it } from 'vitest'
import { redisTransportSettings } from '../../src/main/hub/index'

describe('redisTransportSettings', () => {
  it('is on with LOOPWATCH_REDIS_URL and LOOPWATCH_REDIS_SECRET, a settings URL winning; off saying why otherwise', () => {
    const secret = 'a-secret-of-enough-length'
    expect(redisTransportSettings(null, {})).toEqual({ ok: false, why: 'no Redis URL' })
    expect(redisTransportSettings(null, { LOOPWATCH_REDIS_URL: 'redis://h:1' })).toEqual({ ok: false, why: 'no shared secret: set LOOPWATCH_REDIS_SECRET (the same on the app and every worker)' })
    expect(redisTransportSettings(null, { LOOPWATCH_REDIS_URL: 'redis://h:1', LOOPWATCH_REDIS_SECRET: 'short' })).toEqual({ ok: false, why: 'LOOPWATCH_REDIS_SECRET must be at least 16 characters' })
    expect(redisTransportSettings(null, { LOOPWATCH_REDIS_URL: 'redis://h:1', LOOPWATCH_REDIS_SECRET: secret })).toEqual({ ok: true, options: { url: 'redis://h:1', secret } })
    expect(redisTransportSettings('redis://s:2', { LOOPWATCH_REDIS_URL: 'redis://h:1', LOOPWATCH_REDIS_SECRET: secret })).toEqual({ ok: true, options: { url: 'redis://s:2', secret } })
  })
})
