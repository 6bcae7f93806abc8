import { describe, expect, it } from 'vitest'
import { LOOP_MAIN, RawAgent, delta, startHub, snapshot } from './hub-helper'

async function withTask() {
  const hub = await startHub()
  const { agent, sourceId } = await RawAgent.hello(hub)
  agent.send(LOOP_MAIN)
  agent.send(delta(1, { created: [snapshot(1)] }))
  await agent.ping(1)
  return { hub, agent, sourceId }
}

describe('hub commands', () => {
  it('sends a cancel with an id and resolves with the snapshot the agent answers', async () => {
    const { hub, agent, sourceId } = await withTask()
    const outcome = hub.sendCommand(sourceId, { type: 'cancel', taskId: 1, reason: 'from the window' })
    const command = await agent.next()
    expect(command).toEqual({ type: 'cancel', id: 1, taskId: 1, reason: 'from the window' })
    const cancelled = snapshot(1, { state: 'cancelling', cancel: { source: 'user', reason: 'from the window', at: { loop: 1, wall: 2 } } })
    agent.send({ type: 'result', id: 1, ok: true, value: cancelled })
    expect(await outcome).toEqual({ ok: true, value: cancelled })
  })

  it('passes the agent’s own error through, and marks the source stopping on a stop', async () => {
    const { hub, agent, sourceId } = await withTask()
    const outcome = hub.sendCommand(sourceId, { type: 'stop', graceMs: 500 })
    expect(hub.source(sourceId)?.state).toBe('stopping')
    const command = await agent.next()
    agent.send({ type: 'result', id: command.type === 'stop' ? command.id : 0, ok: false, error: { code: 'already_stopping', message: 'a stop is running' } })
    expect(await outcome).toEqual({ ok: false, error: { code: 'already_stopping', message: 'a stop is running' } })
  })

  it('answers a command to a gone source with source_gone, and to an unknown one with unknown_source', async () => {
    const { hub, agent, sourceId } = await withTask()
    agent.socket.end()
    await agent.done
    const deadline = Date.now() + 5_000
    while (hub.source(sourceId)?.state === 'connected' && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5))
    expect(await hub.sendCommand(sourceId, { type: 'deadline:clear', taskId: 1 })).toMatchObject({ ok: false, error: { code: 'source_gone' } })
    expect(await hub.sendCommand('agent-99', { type: 'deadline:clear', taskId: 1 })).toMatchObject({ ok: false, error: { code: 'unknown_source' } })
  })

  it('resolves a pending command with source_gone when the connection drops before the answer', async () => {
    const { hub, agent, sourceId } = await withTask()
    const outcome = hub.sendCommand(sourceId, { type: 'deadline:set', taskId: 1, inMs: 1000 })
    await agent.next()
    agent.socket.destroy()
    expect(await outcome).toMatchObject({ ok: false, error: { code: 'source_gone' } })
  })

  it('checks the command before sending: unknown task, bad fields', async () => {
    const { hub, agent, sourceId } = await withTask()
    expect(await hub.sendCommand(sourceId, { type: 'cancel', taskId: 2, reason: null })).toMatchObject({ ok: false, error: { code: 'unknown_task' } })
    expect(await hub.sendCommand(sourceId, { type: 'deadline:set', taskId: 1, inMs: -5 })).toMatchObject({ ok: false, error: { code: 'bad_command' } })
    expect(await hub.sendCommand(sourceId, { type: 'explode' } as never)).toMatchObject({ ok: false, error: { code: 'bad_command' } })
    expect(await agent.ping(9)).toEqual([])
  })

  it('refuses more commands in flight than the per-source bound with too_many_pending', async () => {
    const hub = await startHub({ limits: { maxPendingCommands: 2 } })
    const { agent, sourceId } = await RawAgent.hello(hub)
    agent.send(LOOP_MAIN)
    agent.send(delta(1, { created: [snapshot(1)] }))
    await agent.ping(1)
    void hub.sendCommand(sourceId, { type: 'deadline:clear', taskId: 1 })
    void hub.sendCommand(sourceId, { type: 'deadline:clear', taskId: 1 })
    expect(await hub.sendCommand(sourceId, { type: 'deadline:clear', taskId: 1 })).toMatchObject({ ok: false, error: { code: 'too_many_pending' } })
  })

  it('times a silent agent out with command_timeout and drops its late answer quietly', async () => {
    const { hub, agent, sourceId } = await withTask()
    expect(await hub.sendCommand(sourceId, { type: 'deadline:clear', taskId: 1 }, { timeoutMs: 30 })).toMatchObject({ ok: false, error: { code: 'command_timeout' } })
    await agent.next()
    agent.send({ type: 'result', id: 1, ok: true, value: snapshot(1) })
    expect(await agent.ping(2)).toEqual([])
  })

  it('refuses an answer that fails the command’s result schema (bad_result), and a result for no command (unknown_command)', async () => {
    const { hub, agent, sourceId } = await withTask()
    const outcome = hub.sendCommand(sourceId, { type: 'cancel', taskId: 1, reason: null })
    await agent.next()
    agent.send({ type: 'result', id: 1, ok: true, value: { not: 'a snapshot' } })
    expect(await outcome).toMatchObject({ ok: false, error: { code: 'bad_result' } })
    agent.send({ type: 'result', id: 77, ok: true, value: null })
    expect((await agent.ping(3)).map((m) => m.type === 'error' && m.code)).toEqual(['bad_message', 'unknown_command'])
  })
})
