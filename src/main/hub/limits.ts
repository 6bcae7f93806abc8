// The hub's bounds on what an agent can make it hold or do. Each default is stated once, here; a
// test may pass smaller ones through HubOptions.limits.
import { MAX_LINE_BYTES } from '../../shared/agent-protocol/index'
import type { BudgetLimits } from './budget'

export interface HubLimits {
  /** A connection that sends no valid hello within this is refused (`hello_timeout`). */
  helloTimeoutMs: number
  /** Connections still in their handshake; more are closed at once (unauthenticated peers cost little). */
  maxHandshakes: number
  /** Bad messages one connection may send; the next one disconnects it (`too_many_errors`). */
  maxBadMessages: number
  /** Sources kept, connected or ended; the oldest ended one is forgotten to make room, and a hello finding them all connected is refused. */
  maxSources: number
  /** Task snapshots kept per source; the oldest ended task is forgotten to make room, else the delta is refused (`too_many_tasks`). */
  maxTasksPerSource: number
  /** Loops announced and not removed, per source. */
  maxLoopsPerSource: number
  /** Recent log lines kept per source (the newest win). */
  maxLogsPerSource: number
  /** Inbound budget per connection: over it, lines are discarded unread and the agent is warned. */
  budget: BudgetLimits
  /** Lines discarded in a row (no admitted line between) before the agent is disconnected (`flood`). */
  maxDiscardedInARow: number
  /** Unsent bytes to one agent; beyond it the agent is not reading and is disconnected without a last line. */
  maxOutboundBytes: number
  /** Commands awaiting an answer per source. */
  maxPendingCommands: number
  /** How long a command waits for its result (a stop waits its grace on top). */
  commandTimeoutMs: number
  /** After a refusal or fatal error, how long the hub keeps draining the socket before closing it hard. */
  closeLingerMs: number
}

export const DEFAULT_HUB_LIMITS: HubLimits = {
  helloTimeoutMs: 5_000,
  maxHandshakes: 16,
  maxBadMessages: 20,
  maxSources: 32,
  maxTasksPerSource: 20_000,
  maxLoopsPerSource: 64,
  maxLogsPerSource: 1_000,
  budget: { messagesPerSecond: 2_000, messageBurst: 10_000, bytesPerSecond: 16 << 20, byteBurst: 4 * MAX_LINE_BYTES },
  maxDiscardedInARow: 20_000,
  maxOutboundBytes: 1 << 20,
  maxPendingCommands: 64,
  commandTimeoutMs: 10_000,
  closeLingerMs: 1_000,
}
