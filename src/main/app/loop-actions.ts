// One loop's controls and inspection, with no host around them: the window's LoopControls (this
// app's loops) and the Node agent (a watched process's loops, through the protocol) both act here,
// each turning a refusal into its own typed error (AppError, CommandFailure).
import type { EventLoop } from '../runtime/index'
import type { LoopAction, LoopSpeed, LoopView } from '../../shared/loop-control-contract'
import type { LoopLabel } from '../../shared/snapshots'

/** Why the runtime refused an action (step / toNextTimer on a loop not paused, or with no timer). */
export class LoopActionRefused extends Error {
  readonly code = 'invalid_state'
}

export interface LoopActOptions {
  /** Real ms a step waits for the loop to hold again before answering. */
  stepWaitMs: number
  /** Told the new speed after `speed` (the monitor's rate for the loop). */
  onSpeed?: (speed: LoopSpeed) => void
}

/**
 * Carries out one action on the loop. Throws LoopActionRefused (changing nothing) for what the
 * runtime refuses; a step answers once the loop holds again or after stepWaitMs.
 * @example await actOnLoop(loop, { action: 'pause' }, { stepWaitMs: 2000 })
 */
export async function actOnLoop(loop: EventLoop, req: { action: LoopAction; speed?: LoopSpeed | undefined }, opts: LoopActOptions): Promise<void> {
  switch (req.action) {
    case 'pause':
      loop.pause()
      return
    case 'resume':
      loop.resume()
      return
    case 'step':
    case 'toNextTimer':
      return untilHeld(refusedAsInvalid(() => (req.action === 'step' ? loop.stepOnce() : loop.runToNextTimer())), opts.stepWaitMs)
    case 'speed': {
      if (req.speed === undefined) throw new LoopActionRefused('action "speed" needs a speed')
      loop.setSpeed(req.speed)
      opts.onSpeed?.(req.speed)
      return
    }
  }
}

/** The loop's inspection with its label (the first `limit` entries of each queue). */
export function loopView(loopId: LoopLabel, loop: EventLoop, limit?: number): LoopView {
  return { loopId, ...loop.inspect(limit === undefined ? {} : { limit }) }
}

function refusedAsInvalid<T>(act: () => T): T {
  try {
    return act()
  } catch (e) {
    throw new LoopActionRefused(e instanceof Error ? e.message : String(e))
  }
}

/** Waits for a step to end, at most waitMs: a real clock may have it wait for a timer. */
async function untilHeld(held: Promise<void>, waitMs: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined
  await Promise.race([held, new Promise<void>((done) => (timer = setTimeout(done, waitMs)))])
  clearTimeout(timer)
}
