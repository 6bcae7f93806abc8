// The window's loop controls: pause, resume, one iteration, run to the next timer, speed — and the
// loop inspector. This process's own loops (scenario runs, the daemons) are acted on here; a
// connected process's loop (`agent-1/loop-1`) is asked in its own process, through its agent.
import type { TaskMonitor } from '../monitor/index'
import type { ExternalSources } from '../sources/external-sources'
import { AppError } from '../ipc/app-error'
import { sourceOfLoop } from '../../shared/snapshots'
import type { LoopLabel } from '../../shared/snapshots'
import { STEP_ANSWER_WAIT_MS } from '../../shared/loop-control-contract'
import type { LoopControlRequest, LoopView } from '../../shared/loop-control-contract'
import type { EventLoop } from '../runtime/index'
import { LoopActionRefused, actOnLoop, loopView } from './loop-actions'

export class LoopControls {
  constructor(
    private readonly monitor: TaskMonitor,
    /** Connected processes (null: none, their loops are not_found). */
    private readonly sources: ExternalSources | null = null,
    /** Real ms a step waits for the loop to hold again before answering. */
    private readonly stepWaitMs = STEP_ANSWER_WAIT_MS,
  ) {}

  /**
   * Carries out one action, then answers the loop's inspection. Refused before anything changes:
   * unknown loop (not_found), step / toNextTimer on a loop that is not paused or has no timer
   * (invalid_state), a connected process whose agent has no loop controls (unsupported).
   * @example await controls.control({ loopId: 'run-3', action: 'pause' })
   */
  async control(req: LoopControlRequest): Promise<LoopView> {
    if (sourceOfLoop(req.loopId) !== null) return this.remote().loopControl(req)
    const loop = this.loopOf(req.loopId)
    try {
      await actOnLoop(loop, req, {
        stepWaitMs: this.stepWaitMs,
        onSpeed: (speed) => this.monitor.setRate(req.loopId, speed === 'virtual' ? null : speed),
      })
    } catch (e) {
      if (e instanceof LoopActionRefused) throw new AppError('invalid_state', e.message)
      throw e
    }
    return loopView(req.loopId, loop)
  }

  /** The loop's ready queue and timer heap (the first `limit` of each). */
  inspect(loopId: LoopLabel, limit?: number): LoopView | Promise<LoopView> {
    if (sourceOfLoop(loopId) !== null) return this.remote().loopInspect(loopId, limit)
    return loopView(loopId, this.loopOf(loopId), limit)
  }

  private remote(): ExternalSources {
    if (!this.sources) throw new AppError('not_found', 'no connected processes here')
    return this.sources
  }

  private loopOf(loopId: LoopLabel): EventLoop {
    const found = this.monitor.loopByLabel(loopId)
    if (!found || found.loop.isClosed()) throw new AppError('not_found', `no live loop ${loopId}`)
    return found.loop
  }
}
