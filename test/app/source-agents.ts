// Fake agents for the app's tests: real AgentConnections (or raw sockets) to the AgentHub the
// AppCore started, found through the agent.json in its data dir.
import { afterEach } from 'vitest'
import { AgentConnection, CommandFailure, hubLocator } from '../../src/agent/index'
import type { AgentIdentity } from '../../src/agent/index'
import type { CommandMessage } from '../../src/shared/agent-protocol/index'
import type { TaskSnapshot } from '../../src/shared/snapshots'
import { LOOP_MAIN, delta, eventually, snapshot } from '../hub/hub-helper'

const open: AgentConnection[] = []
afterEach(async () => {
  await Promise.all(open.splice(0).map((c) => c.close({ code: 0, reason: 'test over' }, 200)))
})

export interface FakeAgent {
  conn: AgentConnection
  sourceId: string
  commands: CommandMessage[]
  /** The agent's own view of its tasks (by its own ids): commands answer from it. */
  tasks: Map<number, TaskSnapshot>
  /** Sends created tasks (on loop main) in one delta. */
  create(...tasks: TaskSnapshot[]): void
}

let seq = 0

/**
 * Connects an agent named `name` to the app whose data dir is `dataDir`, announces loop `main`
 * and creates `tasks`. Cancel answers with the task cancelling (reason kept), a deadline with it
 * set, stop with an empty report; an unknown task is `unknown_task`.
 */
export async function fakeAgent(dataDir: string, name: string, tasks: TaskSnapshot[] = [], opts: { role?: AgentIdentity['role'] } = {}): Promise<FakeAgent> {
  const identity: AgentIdentity = { name, pid: 1000 + open.length, runtime: { kind: 'node', version: '22.0.0' }, clock: { kind: 'real' }, ...opts }
  const commands: CommandMessage[] = []
  const known = new Map<number, TaskSnapshot>()
  const conn = new AgentConnection({
    identity,
    locate: hubLocator({ dataDir, env: {} }),
    backoff: { initialMs: 10, maxMs: 50 },
    onCommand: (c) => {
      commands.push(c)
      if (c.type === 'stop') return { graceMs: c.graceMs, elapsedMs: 1, finished: [...known.values()].map((t) => ({ id: t.id, name: t.name, state: 'cancelled' })), forced: [], cleanupErrors: [] }
      // An agent without loop commands answers them unknown_command.
      if (!('taskId' in c)) throw new CommandFailure('unknown_command', `this agent does not know the command ${c.type}`)
      const t = known.get(c.taskId)
      if (!t) throw new CommandFailure('unknown_task', `no task ${c.taskId}`)
      const at = { loop: 10, wall: Date.now() }
      if (c.type === 'cancel') return { ...t, state: 'cancelling', cancel: { source: 'user', reason: c.reason, at } }
      if (c.type === 'deadline:set') return { ...t, deadline: { at: { loop: at.loop + c.inMs, wall: at.wall + c.inMs } } }
      return { ...t, deadline: null }
    },
  })
  open.push(conn)
  conn.start()
  await eventually(() => conn.status.state === 'connected')
  conn.send(LOOP_MAIN)
  const agent: FakeAgent = {
    conn,
    sourceId: conn.sourceId!,
    commands,
    tasks: known,
    create(...list) {
      for (const t of list) known.set(t.id, t)
      conn.send(delta(++seq, { created: list }))
    },
  }
  if (tasks.length > 0) agent.create(...tasks)
  return agent
}

export { snapshot }
