import type { ResourcesSnapshot } from '../../shared/resources-contract'
import { MAX_LOOPS_LISTED } from '../../shared/resources-contract'
import { sourceOfLoop } from '../../shared/snapshots'
import type { LoopLabel } from '../../shared/snapshots'
import type { TaskMonitor } from '../monitor/index'
import type { ExternalSources } from '../sources/external-sources'
import { monitorResources } from '../app/loop-resources'

/**
 * This app's own loops' resources (the newest MAX_LOOPS_LISTED), or of the one labelled `only`
 * (none: an empty list, not an error — the run may just have ended).
 */
export function loopResources(monitor: TaskMonitor, only: LoopLabel | null): ResourcesSnapshot {
  return monitorResources(monitor, only)
}

/**
 * `loop:resources`: this app's loops and every connected process's (each asked once, briefly;
 * one that cannot answer is left out), the newest MAX_LOOPS_LISTED in all.
 */
export async function allLoopResources(monitor: TaskMonitor, sources: ExternalSources, only: LoopLabel | null): Promise<ResourcesSnapshot> {
  const own = only !== null && sourceOfLoop(only) !== null ? [] : monitorResources(monitor, only).loops
  const theirs = await sources.resources(only)
  return { loops: [...own, ...theirs].slice(-MAX_LOOPS_LISTED) }
}
