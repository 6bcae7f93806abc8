import { describe, expect, it } from 'vitest'
import { LOOP_MAIN, RawAgent, delta, eventually, startHub, snapshot } from './hub-helper'
import type { HubChange } from '../../src/main/hub/index'

describe('hub sources', () => {
  it('applies deltas as upserts and keeps the last known tasks, with the segments merged into their history', async () => {
    const hub = await startHub()
    const { agent, sourceId } = await RawAgent.hello(hub)
    agent.send(LOOP_MAIN)
    agent.send(delta(1, { created: [snapshot(1), snapshot(2)] }))
    agent.send(
      delta(2, {
        changed: [snapshot(1, { state: 'waiting' })],
        ended: [snapshot(2, { state: 'done' })],
        segments: [{ taskId: 1, first: 0, segments: [{ state: 'running', from: 0, to: 5 }], open: { state: 'waiting', from: 5 } }],
      }),
    )
    expect(await agent.ping(1)).toEqual([])
    const tasks = hub.tasks(sourceId)
    expect(tasks.map((t) => [t.key, t.task.state])).toEqual([
      ['agent-1:1', 'waiting'],
      ['agent-1:2', 'done'],
    ])
    expect(tasks[0]?.task.history).toEqual({ head: [{ state: 'running', from: 0, to: 5 }], skipped: 0, tail: [], open: { state: 'waiting', from: 5 } })
    expect(hub.task('agent-1:2')?.task.name).toBe('task-2')
  })

  it('keeps two agents with the same task ids apart: each source has its own task 1', async () => {
    const hub = await startHub()
    const a = await RawAgent.hello(hub, { name: 'a' })
    const b = await RawAgent.hello(hub, { name: 'b' })
    for (const [x, name] of [[a, 'from-a'], [b, 'from-b']] as const) {
      x.agent.send(LOOP_MAIN)
      x.agent.send(delta(1, { created: [snapshot(1, { name })] }))
      await x.agent.ping(1)
    }
    b.agent.send(delta(2, { ended: [snapshot(1, { name: 'from-b', state: 'cancelled' })] }))
    await b.agent.ping(2)
    expect(hub.task(`${a.sourceId}:1`)?.task).toMatchObject({ name: 'from-a', state: 'running' })
    expect(hub.task(`${b.sourceId}:1`)?.task).toMatchObject({ name: 'from-b', state: 'cancelled' })
  })

  it('refuses a delta naming an unknown task or loop with a typed error, and applies none of it', async () => {
    const hub = await startHub()
    const { agent, sourceId } = await RawAgent.hello(hub)
    agent.send(LOOP_MAIN)
    agent.send(delta(1, { created: [snapshot(1)] }))
    agent.send(delta(2, { created: [snapshot(2)], changed: [snapshot(99)] }))
    agent.send(delta(3, { created: [snapshot(3, { loop: 'nowhere' })] }))
    agent.send({ type: 'log', stream: 'stdout', line: 'hi', wall: 1, taskId: 55 })
    agent.send(delta(4, { removed: [12] }))
    const errors = await agent.ping(1)
    expect(errors.map((e) => e.type === 'error' && e.code)).toEqual(['unknown_task', 'unknown_loop', 'unknown_task', 'unknown_task'])
    expect(hub.tasks(sourceId).map((t) => t.task.id)).toEqual([1])
    expect(hub.source(sourceId)?.errors).toBe(4)
  })

  it('ends the session as lost when the agent half-closes without a bye, keeping its tasks', async () => {
    const hub = await startHub()
    const changes: HubChange[] = []
    hub.onChange((c) => changes.push(c))
    const { agent, sourceId } = await RawAgent.hello(hub)
    agent.send(LOOP_MAIN)
    agent.send(delta(1, { created: [snapshot(1)] }))
    await agent.ping(1)
    agent.socket.end()
    await agent.done
    await eventually(() => hub.source(sourceId)?.state !== 'connected')
    expect(hub.source(sourceId)).toMatchObject({ state: 'lost', exit: null })
    expect(hub.tasks(sourceId)).toHaveLength(1)
    expect(changes.at(-1)).toMatchObject({ kind: 'source', source: { state: 'lost' } })
    expect(hub.connections().open).toBe(0)
  })

  it('ends the session as exited with the code after a bye, and answers a message after bye with an error', async () => {
    const hub = await startHub()
    const { agent, sourceId } = await RawAgent.hello(hub)
    agent.send({ type: 'bye', code: 3, reason: 'done' })
    agent.send({ type: 'ping', id: 5 })
    expect(await agent.next()).toMatchObject({ type: 'error', code: 'bad_message' })
    agent.socket.end()
    await agent.done
    await eventually(() => hub.connections().open === 0)
    expect(hub.source(sourceId)).toMatchObject({ state: 'exited', exit: { code: 3, reason: 'done' } })
  })

  it('adds the dropped counts an agent reports, and shows loops as they come and go', async () => {
    const hub = await startHub()
    const { agent, sourceId } = await RawAgent.hello(hub)
    agent.send({ type: 'dropped', count: 5 })
    agent.send({ type: 'dropped', count: 2 })
    agent.send(LOOP_MAIN)
    agent.send({ type: 'loop:added', loop: 'other', clock: { kind: 'virtual' } })
    agent.send({ type: 'loop:removed', loop: 'main' })
    await agent.ping(1)
    expect(hub.source(sourceId)).toMatchObject({ dropped: 7, loops: [{ label: 'other', clock: { kind: 'virtual' } }] })
  })

  it('shows the same source again when an agent reconnects with the same instance id', async () => {
    const hub = await startHub()
    const first = await RawAgent.hello(hub, { instance: 'proc-1' })
    first.agent.socket.destroy()
    await first.agent.done
    await eventually(() => hub.connections().open === 0)
    expect(hub.source(first.sourceId)?.state).toBe('lost')
    const again = await RawAgent.hello(hub, { instance: 'proc-1' })
    expect(again.sourceId).toBe(first.sourceId)
    expect(hub.sources()).toMatchObject([{ id: first.sourceId, state: 'connected' }])
  })

  it('sends a notice to a connected source only (no answer awaited), and shows its role from the hello', async () => {
    const hub = await startHub()
    const { agent, sourceId } = await RawAgent.hello(hub, { role: 'child' })
    expect(hub.source(sourceId)?.role).toBe('child')
    expect(hub.notify(sourceId, 'app-closing', 'closing')).toBe(true)
    expect(await agent.next()).toEqual({ type: 'notice', what: 'app-closing', message: 'closing' })
    expect(hub.notify('agent-99', 'app-closing', 'closing')).toBe(false)
    agent.socket.destroy()
    await eventually(() => hub.source(sourceId)?.state === 'lost')
    expect(hub.notify(sourceId, 'app-closing', 'closing')).toBe(false)
    const legacy = await RawAgent.hello(hub)
    expect(hub.source(legacy.sourceId)?.role).toBe('service')
  })

  it('forgets the oldest ended tasks of a source at its task cap, and refuses a delta when none has ended', async () => {
    const hub = await startHub({ limits: { maxTasksPerSource: 3 } })
    const { agent, sourceId } = await RawAgent.hello(hub)
    agent.send(LOOP_MAIN)
    agent.send(delta(1, { created: [snapshot(1, { state: 'done' }), snapshot(2), snapshot(3)] }))
    agent.send(delta(2, { created: [snapshot(4)] }))
    agent.send(delta(3, { created: [snapshot(5)] }))
    expect(await agent.ping(1)).toMatchObject([{ type: 'error', code: 'too_many_tasks' }])
    expect(hub.tasks(sourceId).map((t) => t.task.id)).toEqual([2, 3, 4])
  })
})
