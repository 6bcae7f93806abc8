// The resources of the loops a TaskMonitor watches, with no host around it: the window's
// loop:resources (this app's loops) and the Node agent's `resources` command both build it here.
import type { ResourcesSnapshot } from '../../shared/resources-contract'
import { MAX_LOOPS_LISTED, boundResources } from '../../shared/resources-contract'
import type { LoopLabel } from '../../shared/snapshots'
import type { TaskMonitor } from '../monitor/index'
import { resourcesOf } from '../runtime/resources'

/**
 * The resources of every loop the monitor watches (the newest MAX_LOOPS_LISTED), or of the one
 * labelled `only` (none: an empty list, not an error — the run may just have ended).
 */
export function monitorResources(monitor: TaskMonitor, only: LoopLabel | null): ResourcesSnapshot {
  const loops = monitor.attachedLoops().filter(({ info }) => only === null || info.label === only)
  return {
    loops: loops.slice(-MAX_LOOPS_LISTED).map(({ info, loop }) => ({ loop: info.label, runId: info.runId, ...boundResources(resourcesOf(loop)) })),
  }
}
