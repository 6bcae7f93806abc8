import { describe, expect, it } from 'vitest'
import { RedisUrlError, redisOptions, redisUrlFrom } from '../../src/main/queue'

describe('which Redis', () => {
  it('the setting wins over LOOPWATCH_REDIS_URL; neither (or blank) means the in-process default', () => {
    expect(redisUrlFrom('redis://a:1', { LOOPWATCH_REDIS_URL: 'redis://b:2' })).toBe('redis://a:1')
    expect(redisUrlFrom(undefined, { LOOPWATCH_REDIS_URL: ' redis://b:2 ' })).toBe('redis://b:2')
    expect(redisUrlFrom(undefined, { LOOPWATCH_REDIS_URL: '  ' })).toBe(null)
    expect(redisUrlFrom(undefined, {})).toBe(null)
  })

  it('reads host, port, credentials, db and TLS from the URL, and refuses what is not a Redis URL with a typed error', () => {
    expect(redisOptions('redis://127.0.0.1:6380')).toEqual({ host: '127.0.0.1', port: 6380, maxRetriesPerRequest: null })
    expect(redisOptions('rediss://u:p%40ss@cache.example:6390/3')).toEqual({
      host: 'cache.example', port: 6390, username: 'u', password: 'p@ss', db: 3, tls: {}, maxRetriesPerRequest: null,
    })
    expect(redisOptions('redis://h')).toMatchObject({ host: 'h', port: 6379 })
    for (const bad of ['localhost:6379', 'http://h:1', 'redis://h/x']) {
      expect(() => redisOptions(bad)).toThrow(RedisUrlError)
    }
    try {
      redisOptions('nope')
    } catch (error) {
      expect(error).toMatchObject({ code: 'bad-redis-url', message: 'not a URL: "nope" (expected redis://host:port)' })
    }
  })
})
