/**
 * A token bucket: `capacity` units at most, refilled at `perSecond`. The clock is injected (ms), so
 * tests can freeze it.
 */
export class TokenBucket {
  private tokens: number
  private last: number

  constructor(
    private readonly capacity: number,
    private readonly perSecond: number,
    private readonly now: () => number,
  ) {
    this.tokens = capacity
    this.last = now()
  }

  /** Units available now (refills first). */
  available(): number {
    const t = this.now()
    this.tokens = Math.min(this.capacity, this.tokens + (Math.max(0, t - this.last) * this.perSecond) / 1000)
    this.last = t
    return this.tokens
  }

  spend(units: number): void {
    this.tokens -= units
  }
}

/** What one session may send: a message budget and a byte budget, both token buckets. */
export interface BudgetLimits {
  messagesPerSecond: number
  messageBurst: number
  bytesPerSecond: number
  /** At least the longest line, or such a line could never pass. */
  byteBurst: number
}

/**
 * The inbound budget of one agent connection. A line is admitted only when both buckets hold
 * enough; an admitted line spends one message and its bytes.
 *
 * @example const b = new InboundBudget(limits, () => performance.now()); if (!b.admit(line.length)) discard()
 */
export class InboundBudget {
  private readonly messages: TokenBucket
  private readonly bytes: TokenBucket

  constructor(limits: BudgetLimits, now: () => number) {
    this.messages = new TokenBucket(limits.messageBurst, limits.messagesPerSecond, now)
    this.bytes = new TokenBucket(limits.byteBurst, limits.bytesPerSecond, now)
  }

  admit(byteCount: number): boolean {
    if (this.messages.available() < 1 || this.bytes.available() < byteCount) return false
    this.messages.spend(1)
    this.bytes.spend(byteCount)
    return true
  }
}
