import { execFileSync } from 'node:child_process'
import { describe, expect, it } from 'vitest'
import { redisSkipReason, startRedis } from '../support/redis'

const ping = (port: number): string => {
  try {
    return execFileSync('redis-cli', ['-p', String(port), 'ping'], { encoding: 'utf8', timeout: 2000, stdio: ['ignore', 'pipe', 'ignore'] }).trim()
  } catch {
    return 'unreachable'
  }
}

describe.skipIf(redisSkipReason !== null)(`test Redis${redisSkipReason ? ` (${redisSkipReason})` : ''}`, () => {
  it('starts a private redis-server on a free loopback port without persistence, and stop() ends it', async () => {
    const redis = await startRedis()
    expect(redis.url).toBe(`redis://127.0.0.1:${redis.port}`)
    expect(ping(redis.port)).toBe('PONG')
    const save = execFileSync('redis-cli', ['-p', String(redis.port), 'config', 'get', 'save'], { encoding: 'utf8' })
    expect(save.split('\n')[1]).toBe('')
    await redis.stop()
    expect(ping(redis.port)).toBe('unreachable')
  })
})
