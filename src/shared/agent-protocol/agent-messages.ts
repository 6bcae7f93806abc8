// Messages an agent sends to the hub. One schema per `type`; the union type derives from the table.
import * as v from 'valibot'
import { SOURCE_ROLES } from '../snapshots'
import type { SourceRole } from '../snapshots'
import { taskDeltaSchema } from './task-delta-schema'
import { MAX_LOG_LINE_LENGTH, commandId, count, errorInfo, loopLabel, name, rate, taskId, text, time } from './scalars'

/** A hub start's token (agent.json writes 43 base64url characters). */
export const MAX_TOKEN_LENGTH = 200
/** e.g. `20.19.4`, `3.11.7`. */
export const MAX_VERSION_LENGTH = 50
/** An agent's own random id for its process, kept across reconnects. */
export const MAX_INSTANCE_LENGTH = 100
/** Pids and exit codes: 32-bit. */
const MAX_PID = 2 ** 32 - 1
const exitCode = v.pipe(v.number(), v.safeInteger(), v.minValue(-(2 ** 31)), v.maxValue(2 ** 32 - 1))

/** Which runtime the agent runs in, written once. */
export const RUNTIME_KINDS = ['node', 'python', 'other'] as const
export type RuntimeKind = (typeof RUNTIME_KINDS)[number]

/**
 * What the process is to the app (shared/snapshots' SOURCE_ROLES): a `child` the app started,
 * which its graceful shutdown stops, or a `service`, told and left running. A hello without the
 * field is a `service` (protocol 1 agents written before it existed).
 */
export const AGENT_ROLES = SOURCE_ROLES
export type AgentRole = SourceRole
export const DEFAULT_AGENT_ROLE: AgentRole = 'service'

/** How a clock runs: the real clock, a scaled one (`rate` loop ms per wall ms), or virtual time (jumps). */
export const clockSchema = v.variant('kind', [
  v.strictObject({ kind: v.literal('real') }),
  v.strictObject({ kind: v.literal('scaled'), rate }),
  v.strictObject({ kind: v.literal('virtual') }),
])
export type AgentClock = v.InferOutput<typeof clockSchema>

export const helloSchema = v.strictObject({
  type: v.literal('hello'),
  protocol: v.pipe(v.number(), v.safeInteger(), v.minValue(0)),
  token: v.pipe(v.string(), v.maxLength(MAX_TOKEN_LENGTH)),
  /** What the window calls this process (a file name, a service name). */
  name,
  pid: v.pipe(v.number(), v.safeInteger(), v.minValue(0), v.maxValue(MAX_PID)),
  runtime: v.strictObject({ kind: v.picklist(RUNTIME_KINDS), version: v.pipe(v.string(), v.maxLength(MAX_VERSION_LENGTH)) }),
  /** The process's default clock; each loop states its own in `loop:added`. */
  clock: clockSchema,
  /** Sent again after a reconnect, so the hub shows the same source again instead of a new one. */
  instance: v.optional(v.pipe(v.string(), v.minLength(1), v.maxLength(MAX_INSTANCE_LENGTH))),
  /** `child` or `service` (absent: `service`); see AGENT_ROLES. */
  role: v.optional(v.picklist(AGENT_ROLES)),
})

/** Read before the full hello, so a hello of another version is refused by version, not by shape. */
export const helloVersionSchema = v.object({ type: v.literal('hello'), protocol: v.number() })

const resultOk = v.strictObject({ type: v.literal('result'), id: commandId, ok: v.literal(true), value: v.unknown() })
const resultError = v.strictObject({ type: v.literal('result'), id: commandId, ok: v.literal(false), error: errorInfo })

export const agentMessageSchemas = {
  hello: helloSchema,
  /** A loop started (its tasks may now name it). */
  'loop:added': v.strictObject({ type: v.literal('loop:added'), loop: loopLabel, clock: clockSchema }),
  /** A loop ended; its tasks stay as last known. */
  'loop:removed': v.strictObject({ type: v.literal('loop:removed'), loop: loopLabel }),
  /** One TaskDelta, exactly the monitor's shape, ids local to the agent. */
  'tasks:delta': v.strictObject({ type: v.literal('tasks:delta'), delta: taskDeltaSchema }),
  /** A line the process printed outside any task's delta (before `run()`, the agent's own notes). */
  log: v.strictObject({
    type: v.literal('log'),
    stream: v.picklist(['stdout', 'stderr']),
    line: v.pipe(v.string(), v.maxLength(MAX_LOG_LINE_LENGTH)),
    wall: time,
    taskId: v.nullable(taskId),
  }),
  /** Messages the agent dropped since its last report (disconnected, or its buffer was full). */
  dropped: v.strictObject({ type: v.literal('dropped'), count: v.pipe(count, v.minValue(1)) }),
  /** The answer to command `id`: its value, or why it failed. */
  result: v.union([resultOk, resultError]),
  /** Liveness: the hub answers `pong` with the same id, after everything sent before it. */
  ping: v.strictObject({ type: v.literal('ping'), id: count }),
  /** The process is ending (`code`: its exit status if known). No message may follow. */
  bye: v.strictObject({ type: v.literal('bye'), code: v.nullable(exitCode), reason: text }),
} as const

export type AgentMessageType = keyof typeof agentMessageSchemas
export const AGENT_MESSAGE_TYPES = Object.keys(agentMessageSchemas) as AgentMessageType[]
export type AgentMessage = { [K in AgentMessageType]: v.InferOutput<(typeof agentMessageSchemas)[K]> }[AgentMessageType]
export type AgentMessageOf<K extends AgentMessageType> = Extract<AgentMessage, { type: K }>
export type Hello = AgentMessageOf<'hello'>
export type ResultMessage = AgentMessageOf<'result'>
