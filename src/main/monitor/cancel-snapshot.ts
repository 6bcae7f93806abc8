import type { CancelCause, CancelRequest } from '../runtime/index'
import type { CancelCauseSnapshot, CancelSnapshot, Stamp } from '../../shared/snapshots'

/** What a task's `cancelledBy()` says, as the window reads it. */
export type CancelReading = CancelRequest & { cause?: CancelCause }

/**
 * A task's cancellation as a snapshot: who asked, why, when, and — when it came from elsewhere —
 * where it began and the way it came. `stamp` reads a loop time on both clocks.
 */
export function toCancelSnapshot(req: CancelReading, stamp: (loopMs: number) => Stamp): CancelSnapshot {
  const cancel: CancelSnapshot = { source: req.source, reason: req.reason ?? null, at: stamp(req.at) }
  if (req.by !== undefined) cancel.by = req.by
  if (req.cause !== undefined) cancel.cause = toCauseSnapshot(req.cause, stamp)
  return cancel
}

function toCauseSnapshot(c: CancelCause, stamp: (loopMs: number) => Stamp): CancelCauseSnapshot {
  const o = c.origin
  const origin: CancelCauseSnapshot['origin'] = { id: o.id, name: o.name, source: o.source, reason: o.reason ?? null, at: stamp(o.at) }
  if (o.by !== undefined) origin.by = o.by
  if (o.failed !== undefined) origin.failed = o.failed
  const out: CancelCauseSnapshot = { origin, path: c.path }
  if (c.more !== undefined) out.more = c.more
  return out
}
