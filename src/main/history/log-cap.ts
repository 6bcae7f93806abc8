import type { HistoryLog } from './types'

/** How many log lines a run keeps: the first `head` and the last `tail`; the rest are counted. */
export interface LogLimits {
  head: number
  tail: number
  /** Real ms between writes of a capped run's tail (its lines are replaced, not appended). */
  tailFlushMs: number
}

/** Desktop defaults: ~2,000 lines a run (≈ 200 KB), however long it runs. */
export const LOG_LIMITS: LogLimits = { head: 1000, tail: 1000, tailFlushMs: 1000 }

/** Longest line stored; a longer one is cut and says by how much. */
export const MAX_LINE_CHARS = 8192

/** The line as stored: at most MAX_LINE_CHARS characters plus a note of what was cut. */
export function boundLine(record: HistoryLog): HistoryLog {
  if (record.line.length <= MAX_LINE_CHARS) return record
  const cut = record.line.length - MAX_LINE_CHARS
  return { ...record, line: `${record.line.slice(0, MAX_LINE_CHARS)}… [${cut} more characters]` }
}

/**
 * One run's log bookkeeping in the write buffer. The first `head` lines go to the disk as they come;
 * after that only the newest `tail` lines are kept in memory and written now and then, replacing the
 * tail rows already stored, so a run that prints forever stores `head + tail` rows.
 */
export class RunLogCap<Row> {
  /** Lines the run has printed. */
  seen = 0
  /** Tail lines not yet written (at most 2 × tail between trims). */
  private pendingTail: Row[] = []
  lastTailWrite = 0
  /** The id of the last head row, once the head is full and written (tail rows come after it). */
  headLastId: number | null = null

  constructor(private readonly limits: LogLimits) {}

  /** True if the line belongs to the head (write it now); otherwise it was kept for the tail. */
  add(row: Row): boolean {
    this.seen++
    if (this.seen <= this.limits.head) return true
    this.pendingTail.push(row)
    if (this.pendingTail.length > 2 * this.limits.tail) this.pendingTail = this.pendingTail.slice(-this.limits.tail)
    return false
  }

  /** Tail lines waiting for the disk. */
  get tailPending(): boolean {
    return this.pendingTail.length > 0
  }

  /** The tail lines to write now (the newest `tail`), and forgets them. */
  takeTail(): Row[] {
    const rows = this.pendingTail.length > this.limits.tail ? this.pendingTail.slice(-this.limits.tail) : this.pendingTail
    this.pendingTail = []
    return rows
  }

  /** Lines printed and not stored, once the stored tail is the newest `tail` lines. */
  get omitted(): number {
    return Math.max(0, this.seen - this.limits.head - this.limits.tail)
  }
}
