// A connected process's LoopView and resources in the window's terms: its loop label namespaced
// (`agent-1/loop-1`), every task id its global one (the same id its tasks have in the table).
import type { LoopView } from '../../shared/loop-control-contract'
import type { LoopResources } from '../../shared/resources-contract'
import type { CommandValue } from '../../shared/agent-protocol/index'
import { sourceLoopLabel } from '../../shared/snapshots'
import type { RunId, SourceId } from '../../shared/snapshots'
import type { SourceIdMap } from './id-map'

function globalOf(ids: SourceIdMap, sourceId: SourceId): (local: number | null) => number | null {
  return (local) => (local === null ? null : ids.global(sourceId, local))
}

/** An agent's loop:control / loop:inspect answer, for the window. */
export function translateLoopView(view: CommandValue<'loop:inspect'>, sourceId: SourceId, ids: SourceIdMap): LoopView {
  const g = globalOf(ids, sourceId)
  // An entry's text names its task as the runtime does, `Task ticker (#4)`: the window's id instead.
  const entry = <E extends { taskId: number | null; text: string }>(e: E): E => {
    const id = g(e.taskId)
    return { ...e, taskId: id, text: id === null ? e.text : e.text.replace(`(#${e.taskId})`, `(#${id})`) }
  }
  return { ...view, loopId: sourceLoopLabel(sourceId, view.loopId), ready: view.ready.map(entry), timers: view.timers.map(entry) }
}

/** An agent's `resources` answer, for the window (its runId: the source's history run). */
export function translateResources(value: CommandValue<'resources'>, sourceId: SourceId, ids: SourceIdMap, runId: RunId | null): LoopResources[] {
  return value.loops.map((l) => ({
    loop: sourceLoopLabel(sourceId, l.loop),
    runId,
    total: l.total,
    resources: l.resources.map((r) => ({
      ...r,
      holders: r.holders.map((id) => ids.global(sourceId, id)),
      waiters: r.waiters.map((w) => ({ taskId: ids.global(sourceId, w.taskId), op: w.op })),
    })),
  }))
}
