import { describe, expect, it } from 'vitest'
import { parseAgentLine, parseHubLine } from '../../src/shared/agent-protocol/index'
import type { Command } from '../../src/shared/agent-protocol/index'
import { docBlocks } from './docs-helper'
import { RawAgent, eventually, startHub } from './hub-helper'

describe('docs/agent-protocol.md', () => {
  it('holds an example exchange that the real hub plays line for line', async () => {
    const exchange = docBlocks('text')[0] as string
    const lines = exchange.trim().split('\n').map((l) => ({ dir: l.slice(0, 1), json: l.slice(2) }))
    expect(lines.map((l) => l.dir).join('')).toBe('→←→→←→→→')
    const hub = await startHub()
    const agent = await RawAgent.connect(hub.port)
    for (const { dir, json } of lines) {
      if (dir === '→') {
        const sent = json.replace('"TOKEN"', JSON.stringify(hub.token))
        expect(parseAgentLine(sent).ok, json).toBe(true)
        agent.write(`${sent}\n`)
        continue
      }
      const expected = JSON.parse(json) as { type: string; id?: number }
      expect(parseHubLine(json).ok, json).toBe(true)
      if (expected.type !== 'welcome') {
        // A command: the app asks (once the hub has read all before it), the hub numbers it.
        expect(await agent.ping(0)).toEqual([])
        const { id: _id, ...command } = expected
        void hub.sendCommand('agent-1', command as Command)
      }
      expect(await agent.next()).toEqual(expected)
    }
    // After bye the agent hangs up; the hub had nothing to say about any line.
    agent.socket.end()
    await agent.done
    await eventually(() => hub.connections().open === 0)
    expect(agent.lines).toEqual([])
    expect(hub.source('agent-1')).toMatchObject({ name: 'worker.py', role: 'service', state: 'exited', exit: { code: 0, reason: 'finished' }, errors: 0 })
    expect(hub.tasks('agent-1').map((t) => [t.key, t.task.state])).toEqual([['agent-1:1', 'cancelled']])
  })

  it('shows an error line the hub really sends', async () => {
    const errorLine = JSON.parse((docBlocks('text')[1] as string).trim().slice(2))
    const hub = await startHub()
    const { agent } = await RawAgent.hello(hub)
    agent.send({ type: 'loop:added', loop: 'main', clock: { kind: 'real' } })
    const task9 = JSON.parse((docBlocks('text')[0] as string).split('\n')[3]!.slice(2)).delta.created[0]
    agent.send({ type: 'tasks:delta', delta: { seq: 1, created: [], changed: [{ ...task9, id: 9 }], ended: [], removed: [], logs: [], clocks: [] } })
    expect(await agent.next()).toEqual(errorLine)
  })
})
