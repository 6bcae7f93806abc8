// What the hub tells the app: sources, their tasks and logs, and the changes as they happen.
import type { AgentClock, AgentRole, Command, CommandErrorCode, CommandType, CommandValue, RuntimeKind } from '../../shared/agent-protocol/index'
import type { TaskDelta, TaskSnapshot } from '../../shared/snapshots'

// A source's id (`agent-1`, … never reused within a hub start) and its states are the window's
// own vocabulary, written once in shared/snapshots.
import { SOURCE_STATES } from '../../shared/snapshots'
import type { SourceId, SourceState } from '../../shared/snapshots'
export { SOURCE_STATES }
export type { SourceId, SourceState }

/** One watched process as the window lists it. */
export interface SourceInfo {
  id: SourceId
  name: string
  pid: number
  runtime: { kind: RuntimeKind; version: string }
  clock: AgentClock
  /** The agent's own id for its process (a reconnect shows the same source again), if it sent one. */
  instance: string | null
  /** `child` (the app started it: its shutdown stops it) or `service` (told and left running); `service` when the hello said none. */
  role: AgentRole
  /** connected; stopping (a stop was sent); exited (it said bye); lost (its connection dropped without a bye: its tasks are stale). */
  state: SourceState
  /** Set once it said bye. */
  exit: { code: number | null; reason: string } | null
  connectedWall: number
  endedWall: number | null
  loops: { label: string; clock: AgentClock }[]
  taskCount: number
  /** Events the agent reported dropping (its buffer was full, or it was disconnected). */
  dropped: number
  /** Lines the hub discarded unread because the agent was over its inbound budget. */
  discarded: number
  /** Bad messages it sent (each answered with an error). */
  errors: number
}

/** A log line from a `log` message (lines inside deltas arrive with the delta). */
export interface SourceLog {
  stream: 'stdout' | 'stderr'
  line: string
  wall: number
  taskId: number | null
}

/** A change, for the app to forward. Task ids in `delta` are the agent's own: namespace them with `taskKey`. */
export type HubChange =
  | { kind: 'source'; source: SourceInfo }
  | { kind: 'source:removed'; sourceId: SourceId }
  | { kind: 'tasks'; sourceId: SourceId; delta: TaskDelta }
  | { kind: 'log'; sourceId: SourceId; log: SourceLog }

/** A task with the source it belongs to and its namespaced key. */
export interface SourceTask {
  key: string
  sourceId: SourceId
  task: TaskSnapshot
}

export interface CommandError {
  /** The hub's own codes, or the agent's code passed through. */
  code: CommandErrorCode | (string & {})
  message: string
}

/** What sendCommand resolves to (it never rejects): the shape of the app's own `Result`. */
export type CommandOutcome<K extends CommandType = CommandType> = { ok: true; value: CommandValue<K> } | { ok: false; error: CommandError }

export type CommandOf<K extends CommandType> = Extract<Command, { type: K }>

/** The namespaced key of a source's task: `agent-1:42`. Two sources' task 42 never collide. */
export function taskKey(sourceId: SourceId, taskId: number): string {
  return `${sourceId}:${taskId}`
}

/** Reads a key made by taskKey back, or null. */
export function parseTaskKey(key: string): { sourceId: SourceId; taskId: number } | null {
  const m = /^(agent-\d+):(\d+)$/.exec(key)
  if (!m) return null
  const taskId = Number(m[2])
  return Number.isSafeInteger(taskId) ? { sourceId: m[1] as string, taskId } : null
}
