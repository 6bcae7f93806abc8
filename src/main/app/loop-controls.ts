// The window's loop controls on this process's own loops (scenario runs, the daemons): pause,
// resume, one iteration, run to the next timer, speed — and the loop inspector. A connected
// process's loop is refused as `unsupported`: the agent protocol carries no loop controls (yet).
import type { EventLoop } from '../runtime/index'
import type { TaskMonitor } from '../monitor/index'
import { AppError } from '../ipc/app-error'
import { sourceOfLoop } from '../../shared/snapshots'
import type { LoopLabel } from '../../shared/snapshots'
import { STEP_ANSWER_WAIT_MS } from '../../shared/loop-control-contract'
import type { LoopControlRequest, LoopView } from '../../shared/loop-control-contract'

export class LoopControls {
  constructor(
    private readonly monitor: TaskMonitor,
    /** Real ms a step waits for the loop to hold again before answering. */
    private readonly stepWaitMs = STEP_ANSWER_WAIT_MS,
  ) {}

  /**
   * Carries out one action, then answers the loop's inspection. Refused before anything changes:
   * unknown loop (not_found), a connected process's loop (unsupported), step / toNextTimer on a
   * loop that is not paused or has no timer (invalid_state).
   * @example await controls.control({ loopId: 'run-3', action: 'pause' })
   */
  async control(req: LoopControlRequest): Promise<LoopView> {
    const loop = this.loopOf(req.loopId)
    switch (req.action) {
      case 'pause':
        loop.pause()
        break
      case 'resume':
        loop.resume()
        break
      case 'step':
      case 'toNextTimer':
        await this.untilHeld(this.refusedAsInvalid(() => (req.action === 'step' ? loop.stepOnce() : loop.runToNextTimer())))
        break
      case 'speed': {
        const speed = req.speed!
        loop.setSpeed(speed)
        this.monitor.setRate(req.loopId, speed === 'virtual' ? null : speed)
        break
      }
    }
    return this.view(req.loopId, loop)
  }

  /** The loop's ready queue and timer heap (the first `limit` of each). */
  inspect(loopId: LoopLabel, limit?: number): LoopView {
    return this.view(loopId, this.loopOf(loopId), limit)
  }

  private view(loopId: LoopLabel, loop: EventLoop, limit?: number): LoopView {
    return { loopId, ...loop.inspect(limit === undefined ? {} : { limit }) }
  }

  private loopOf(loopId: LoopLabel): EventLoop {
    if (sourceOfLoop(loopId) !== null) {
      throw new AppError('unsupported', `loop ${loopId} runs in a connected process: its agent has no loop controls`)
    }
    const found = this.monitor.loopByLabel(loopId)
    if (!found || found.loop.isClosed()) throw new AppError('not_found', `no live loop ${loopId}`)
    return found.loop
  }

  /** The runtime's refusals (not paused, no timer) are the window's invalid_state. */
  private refusedAsInvalid<T>(act: () => T): T {
    try {
      return act()
    } catch (e) {
      throw new AppError('invalid_state', e instanceof Error ? e.message : String(e))
    }
  }

  /** Waits for a step to end, at most stepWaitMs: a real clock may have it wait for a timer. */
  private async untilHeld(held: Promise<void>): Promise<void> {
    let timer: NodeJS.Timeout | undefined
    await Promise.race([held, new Promise<void>((done) => (timer = setTimeout(done, this.stepWaitMs)))])
    clearTimeout(timer)
  }
}
