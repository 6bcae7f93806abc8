// docs/agent-protocol.md's Redis section names the keys and defaults the code uses.
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { DEFAULT_HEARTBEAT_MS, DEFAULT_LOST_AFTER_MS, DISCOVERY_MAXLEN, DISCOVERY_STREAM, DOWN_STREAM_MAXLEN, MIN_SECRET_LENGTH, REDIS_SECRET_ENV, STREAM_TTL_MS, UP_STREAM_MAXLEN, downStream, upStream } from '../../src/main/hub/redis-wire'
import { repoRoot } from '../scenarios/helpers'

describe('docs/agent-protocol.md, Transport: Redis streams', () => {
  it('names the streams, bounds and defaults the transport uses', () => {
    const doc = readFileSync(join(repoRoot, 'docs/agent-protocol.md'), 'utf8')
    const section = doc.slice(doc.indexOf('## Transport: Redis streams'), doc.indexOf('## Versioning'))
    for (const text of [
      `\`${DISCOVERY_STREAM}\``,
      `\`${upStream('<sourceKey>')}\``,
      `\`${downStream('<sourceKey>')}\``,
      `MAXLEN ~ ${DISCOVERY_MAXLEN}`,
      `MAXLEN ~ ${UP_STREAM_MAXLEN}`,
      `MAXLEN ~ ${DOWN_STREAM_MAXLEN}`,
      `**${DEFAULT_HEARTBEAT_MS / 1000} s**`,
      `**${STREAM_TTL_MS / 60_000} minutes**`,
      `**${DEFAULT_LOST_AFTER_MS / 1000} s**`,
      `\`${REDIS_SECRET_ENV}\`, at least ${MIN_SECRET_LENGTH} characters`,
    ]) {
      expect(section).toContain(text)
    }
  })
})
