import { execFile } from 'node:child_process'
import { promisify } from 'node:util'
import { describe, expect, it } from 'vitest'
import type { HubChange } from '../../src/main/hub/index'
import { docBlocks } from './docs-helper'
import { startHub, tempDir } from './hub-helper'

describe('the Python snippet of docs/agent-protocol.md', () => {
  it('connects with the standard library alone, says hello, and the source appears', async () => {
    const snippet = docBlocks('python')[0] as string
    expect(snippet.trim().split('\n').length).toBeLessThanOrEqual(15)
    const dataDir = await tempDir()
    const hub = await startHub({ dataDir })
    const changes: HubChange[] = []
    hub.onChange((c) => changes.push(c))
    // Asynchronous on purpose: the hub runs in this process and must keep answering.
    const { stdout } = await promisify(execFile)('python3', ['-I', '-c', snippet, dataDir], { timeout: 15_000 })
    const [welcome, pong] = stdout.trim().split('\n').map((l) => JSON.parse(l))
    expect(welcome).toMatchObject({ type: 'welcome', protocol: 1, sourceId: 'agent-1' })
    expect(pong).toEqual({ type: 'pong', id: 1 })
    expect(changes[0]).toMatchObject({ kind: 'source', source: { id: 'agent-1', name: 'hello.py', state: 'connected', runtime: { kind: 'python' } } })
    expect(hub.logs('agent-1').map((l) => l.line)).toEqual(['hello from Python'])
    expect(hub.source('agent-1')).toMatchObject({ state: 'exited', exit: { code: 0, reason: 'done' }, loops: [{ label: 'main' }], errors: 0 })
  })
})
