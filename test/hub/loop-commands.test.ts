import { describe, expect, it } from 'vitest'
import { commandFailure } from '../../src/main/sources/command-errors'
import { LOOP_MAIN, RawAgent, startHub } from './hub-helper'

const view = { loopId: 'main', state: 'paused', speed: 1, now: 5, inIteration: 0, ready: [], readyTotal: 0, timers: [], timersTotal: 0, limit: 200 }

describe('loop commands over the protocol', () => {
  it('sends loop:control with its fields and resolves with the LoopView the agent answers', async () => {
    const hub = await startHub()
    const { agent, sourceId } = await RawAgent.hello(hub)
    agent.send(LOOP_MAIN)
    await agent.ping(1)
    const outcome = hub.sendCommand(sourceId, { type: 'loop:control', loopId: 'main', action: 'pause' })
    expect(await agent.next()).toEqual({ type: 'loop:control', id: 1, loopId: 'main', action: 'pause' })
    agent.send({ type: 'result', id: 1, ok: true, value: view })
    expect(await outcome).toEqual({ ok: true, value: view })
  })

  it('refuses an unbounded answer (bad_result) and a bad command before sending it (bad_command)', async () => {
    const hub = await startHub()
    const { agent, sourceId } = await RawAgent.hello(hub)
    const outcome = hub.sendCommand(sourceId, { type: 'loop:inspect', loopId: 'main' })
    await agent.next()
    const entry = { kind: 'callback', text: 'cb', taskId: null, taskName: null, skipped: false }
    agent.send({ type: 'result', id: 1, ok: true, value: { ...view, ready: Array.from({ length: 1001 }, () => entry) } })
    expect(await outcome).toMatchObject({ ok: false, error: { code: 'bad_result' } })
    expect(await agent.next()).toMatchObject({ type: 'error', code: 'bad_message', message: expect.stringContaining('value.ready') })
    expect(await hub.sendCommand(sourceId, { type: 'loop:control', loopId: 'main', action: 'jump' as 'pause' })).toMatchObject({ ok: false, error: { code: 'bad_command' } })
    const many = { loops: [{ loop: 'main', runId: null, total: 1, resources: [{ id: 1, kind: 'Lock', label: 'Lock-1', holders: Array.from({ length: 201 }, (_, i) => i), waiters: [] }] }] }
    const res = hub.sendCommand(sourceId, { type: 'resources' })
    expect(await agent.next()).toEqual({ type: 'resources', id: 2 })
    agent.send({ type: 'result', id: 2, ok: true, value: many })
    expect(await res).toMatchObject({ ok: false, error: { code: 'bad_result' } })
  })

  it('passes an agent’s unknown_command on, which the window reads as unsupported', async () => {
    const hub = await startHub()
    const { agent, sourceId } = await RawAgent.hello(hub, { runtime: { kind: 'python', version: '3.11.2' } })
    const outcome = hub.sendCommand(sourceId, { type: 'resources', loopId: 'main' })
    await agent.next()
    // What agents/python/loopwatch_agent/commands.py answers for a command it does not know.
    agent.send({ type: 'result', id: 1, ok: false, error: { code: 'unknown_command', message: 'this agent does not know the command resources' } })
    const answered = await outcome
    expect(answered).toEqual({ ok: false, error: { code: 'unknown_command', message: 'this agent does not know the command resources' } })
    if (answered.ok) throw new Error('unreachable')
    const err = commandFailure(answered.error, 'loop agent-1/main')
    expect({ code: err.code, message: err.message }).toEqual({ code: 'unsupported', message: 'loop agent-1/main: this agent does not know the command resources (unknown_command)' })
  })
})
