import { readFile, readdir, stat, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { AGENT_PROTOCOL_VERSION, agentFileSchema } from '../../src/shared/agent-protocol/index'
import * as v from 'valibot'
import { AgentHub } from '../../src/main/hub/index'
import { tempDir } from './hub-helper'

describe('agent.json', () => {
  it('is written with mode 0600 holding port, token, pid and protocol, and removed on close', async () => {
    const dir = await tempDir()
    const hub = await AgentHub.start({ dataDir: dir })
    const path = join(dir, 'agent.json')
    expect(hub.agentFilePath).toBe(path)
    expect((await stat(path)).mode & 0o777).toBe(0o600)
    const contents = v.parse(agentFileSchema, JSON.parse(await readFile(path, 'utf8')))
    expect(contents).toEqual({ port: hub.port, token: hub.token, pid: process.pid, protocol: AGENT_PROTOCOL_VERSION })
    expect(hub.token).toMatch(/^[A-Za-z0-9_-]{43}$/)
    await hub.close()
    await expect(stat(path)).rejects.toMatchObject({ code: 'ENOENT' })
  })

  it('gets a new token at every start, and a hub closing leaves a newer hub’s file alone', async () => {
    const dir = await tempDir()
    const first = await AgentHub.start({ dataDir: dir })
    const second = await AgentHub.start({ dataDir: dir })
    expect(second.token).not.toBe(first.token)
    await first.close()
    expect(JSON.parse(await readFile(join(dir, 'agent.json'), 'utf8')).token).toBe(second.token)
    await second.close()
  })

  it('replaces the file atomically: no temp file is left beside it', async () => {
    const dir = await tempDir()
    await writeFile(join(dir, 'agent.json'), 'stale', { mode: 0o644 })
    const hub = await AgentHub.start({ dataDir: dir })
    expect(await readdir(dir)).toEqual(['agent.json'])
    expect((await stat(join(dir, 'agent.json'))).mode & 0o777).toBe(0o600)
    await hub.close()
  })
})
