// Which optional commands (`resources`, `task:timing`) the app may send each connected process now:
// not one its agent answered unknown_command (an older or smaller agent) until it reconnects, and
// not `resources` on every poll to one that keeps letting it time out (busy, or an old agent that
// drops it): each ask costs a command and a wait, every 2 s, for nothing.
import type { CommandType } from '../../shared/agent-protocol/index'
import type { SourceId } from '../../shared/snapshots'

/** Commands whose repeated timeouts back off (task:timing is asked by a person opening details, not polled). */
export const BACKOFF_COMMANDS: readonly CommandType[] = ['resources']

/** Timeouts in a row a source may give before its asks are spaced out. */
export const TIMEOUTS_BEFORE_BACKOFF = 3
/** The first gap between asks once backing off (twice the resources poll); it doubles per timeout. */
export const BACKOFF_FIRST_MS = 4_000
/** The widest gap between asks: a process that recovers is asked again within this. */
export const BACKOFF_MAX_MS = 60_000

/**
 * The hub's own codes for a command that never reached an agent's answer (beside command_timeout):
 * they say nothing of whether the agent answers, so they neither count nor reset.
 */
const NOT_ANSWERED = new Set(['unknown_source', 'source_gone', 'unknown_task', 'bad_command', 'too_many_pending'])

interface Backoff {
  /** Timeouts in a row, since the last answer. */
  timeouts: number
  /** Not asked again before this (`now()` ms). */
  nextAt: number
}

/**
 * The record of optional commands per source: refused ones (unknown_command) and ones backing off
 * after repeated timeouts. Bounded by the hub's sources × the optional command types; `forget` on
 * disconnect and removal.
 *
 * @example
 * if (commands.mayAsk(id, 'resources')) commands.note(id, 'resources', await hub.sendCommand(id, { type: 'resources' }), askedAt)
 */
export class OptionalCommands {
  private readonly refused = new Map<SourceId, Set<CommandType>>()
  private readonly backoff = new Map<SourceId, Map<CommandType, Backoff>>()

  /** `now`: a monotonic ms clock (tests pass a virtual one). */
  constructor(private readonly now: () => number = () => performance.now()) {}

  /** May `type` be sent to `sourceId` now (not refused, not inside a backoff gap)? */
  mayAsk(sourceId: SourceId, type: CommandType): boolean {
    if (this.refused.get(sourceId)?.has(type) === true) return false
    const b = this.backoff.get(sourceId)?.get(type)
    return b === undefined || this.now() >= b.nextAt
  }

  /**
   * What an ask of `type` (sent at `askedAt`) came to: unknown_command refuses the command until the
   * source is forgotten; a timeout counts, and from the TIMEOUTS_BEFORE_BACKOFF-th in a row the next
   * ask waits BACKOFF_FIRST_MS, doubling per further timeout up to BACKOFF_MAX_MS; any answer resets.
   */
  note(sourceId: SourceId, type: CommandType, outcome: { ok: boolean; error?: { code: string } }, askedAt: number): void {
    const code = outcome.ok ? null : (outcome.error?.code ?? null)
    if (code === 'unknown_command') {
      let set = this.refused.get(sourceId)
      if (set === undefined) this.refused.set(sourceId, (set = new Set()))
      set.add(type)
    }
    if (!BACKOFF_COMMANDS.includes(type) || (code !== null && NOT_ANSWERED.has(code))) return
    const bySource = this.backoff.get(sourceId)
    if (code !== 'command_timeout') {
      bySource?.delete(type)
      if (bySource?.size === 0) this.backoff.delete(sourceId)
      return
    }
    let b = bySource?.get(type)
    if (b === undefined) {
      b = { timeouts: 0, nextAt: askedAt }
      if (bySource) bySource.set(type, b)
      else this.backoff.set(sourceId, new Map([[type, b]]))
    }
    b.timeouts += 1
    const over = b.timeouts - TIMEOUTS_BEFORE_BACKOFF
    // Capped before it is raised to a power, so a source timing out for days never overflows.
    b.nextAt = over < 0 ? askedAt : askedAt + Math.min(BACKOFF_MAX_MS, BACKOFF_FIRST_MS * 2 ** Math.min(over, 16))
  }

  /** Forgets a source's record (it disconnected, or was removed): it is asked afresh when back. */
  forget(sourceId: SourceId): void {
    this.refused.delete(sourceId)
    this.backoff.delete(sourceId)
  }

  /** The ms clock asks are stamped with. */
  stamp(): number {
    return this.now()
  }
}
