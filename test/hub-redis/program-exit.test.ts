// watch({ redis }) in a plain program: it is shown while it runs, and its Redis connections never
// keep it alive once its work is done (as the TCP agent's socket does not).
import { spawn } from 'node:child_process'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startHub } from '../hub/hub-helper'
import { pollUntil } from '../queue/fleet-helper'
import { redisSkipReason, startRedis } from '../support/redis'
import type { TestRedis } from '../support/redis'
import { repoRoot } from '../scenarios/helpers'

const SECRET = 'program-exit-secret-0123456789'

describe.skipIf(redisSkipReason !== null)(`watch({ redis })${redisSkipReason ? ` (${redisSkipReason})` : ''}`, () => {
  let redis: TestRedis
  beforeAll(async () => void (redis = await startRedis()))
  afterAll(async () => void (await redis?.stop()))

  it('shows a program while it runs and lets it exit by itself when its work is done', { timeout: 40_000 }, async () => {
    const hub = await startHub({ redis: { url: redis.url, secret: SECRET, lostAfterMs: 8_000 } })
    const child = spawn(process.execPath, ['--import', 'tsx', join(import.meta.dirname, 'fixtures/short-program.ts')], {
      cwd: repoRoot,
      env: { ...process.env, REDIS_URL: redis.url, LOOPWATCH_REDIS_SECRET: SECRET, LOOPWATCH_APP: '' },
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let out = ''
    child.stdout.setEncoding('utf8').on('data', (c: string) => void (out += c))
    const exited = new Promise<number | null>((done) => child.on('close', (code) => done(code)))
    try {
      await pollUntil(() => hub.tasks(hub.sources().find((s) => s.name === 'short program')?.id ?? 'none').some((t) => t.task.name === 'napper'), 15_000, 'its task shown')
      // Well within the hub's 8 s of patience: had anything of the agent held the process open, its
      // heartbeats would be answered and it would still run when this kills it.
      const timer = setTimeout(() => child.kill('SIGKILL'), 6_000)
      expect(await exited).toBe(0)
      clearTimeout(timer)
      expect(out).toContain('done')
      // It ended without closing its watcher: no bye went out, so the silence reads lost.
      await pollUntil(() => hub.sources()[0]?.state === 'lost', 15_000, 'lost after its silence')
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL')
    }
  })
})
