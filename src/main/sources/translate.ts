// An agent's deltas speak its own task ids and loop labels; the window speaks app-global ones.
// These functions rewrite every id a delta carries, so the table, timeline and details reuse what
// they have for in-process runs.
import type { LogLine, LoopClock, SegmentAppend, TaskDelta, TaskSnapshot } from '../../shared/snapshots'
import { sourceLoopLabel } from '../../shared/snapshots'
import type { SourceIdMap } from './id-map'


/** What a translation needs to know about the source. */
export interface TranslateContext {
  sourceId: string
  ids: SourceIdMap
  /** The source's history run, stamped on every task (null if it is not recorded). */
  runId: number | null
}

/** A delta without its seq: the app numbers every delta it emits in one sequence. */
export type UnsequencedDelta = Omit<TaskDelta, 'seq'>

/** One task in global terms. References to tasks the app never saw become null. */
export function translateTask(t: TaskSnapshot, ctx: TranslateContext): TaskSnapshot {
  const ref = (id: number | null) => (id === null ? null : (ctx.ids.peek(ctx.sourceId, id) ?? null))
  const out: TaskSnapshot = {
    ...t,
    id: ctx.ids.global(ctx.sourceId, t.id),
    localId: t.id,
    loop: sourceLoopLabel(ctx.sourceId, t.loop),
    runId: ctx.runId,
    parentId: ref(t.parentId),
    awaiting: t.awaiting && translateAwait(t.awaiting, ref),
    cancel: t.cancel && translateCancel(t.cancel, ref),
  }
  return out
}

function translateAwait(a: NonNullable<TaskSnapshot['awaiting']>, ref: (id: number | null) => number | null): NonNullable<TaskSnapshot['awaiting']> {
  const out = { ...a, taskId: ref(a.taskId) }
  if (a.waitsOn) out.waitsOn = a.waitsOn.map(ref).filter((id): id is number => id !== null)
  return out
}

function translateCancel(c: NonNullable<TaskSnapshot['cancel']>, ref: (id: number | null) => number | null): NonNullable<TaskSnapshot['cancel']> {
  if (!c.by) return { ...c }
  const by = ref(c.by.id)
  const { by: _, ...rest } = c
  return by === null ? rest : { ...rest, by: { id: by, name: c.by.name } }
}

/**
 * A whole delta in global terms: task ids (created, changed, ended, removed, segments, logs and
 * every reference), loop labels, and the run id. Removed tasks' mappings are forgotten.
 */
export function translateDelta(delta: TaskDelta, ctx: TranslateContext): UnsequencedDelta {
  // Give every task of this delta its id first, so a reference to a task created later in the
  // same delta (a parent listed after its child) still resolves.
  for (const list of [delta.created, delta.changed, delta.ended]) for (const t of list) ctx.ids.global(ctx.sourceId, t.id)
  const task = (t: TaskSnapshot) => translateTask(t, ctx)
  const peek = (id: number | null) => (id === null ? null : (ctx.ids.peek(ctx.sourceId, id) ?? null))
  const segments: SegmentAppend[] = []
  for (const s of delta.segments ?? []) {
    const taskId = peek(s.taskId)
    if (taskId !== null) segments.push({ ...s, taskId })
  }
  const out: UnsequencedDelta = {
    created: delta.created.map(task),
    changed: delta.changed.map(task),
    ended: delta.ended.map(task),
    removed: [],
    logs: delta.logs.map((l) => translateLog(l, ctx)),
    clocks: delta.clocks.map((c): LoopClock => ({ ...c, loop: sourceLoopLabel(ctx.sourceId, c.loop) })),
  }
  if (segments.length > 0) out.segments = segments
  const slow = (delta.slowSteps ?? []).flatMap((st) => {
    const taskId = peek(st.taskId)
    return taskId === null ? [] : [{ ...st, taskId, localId: st.taskId, loop: sourceLoopLabel(ctx.sourceId, st.loop), runId: ctx.runId }]
  })
  if (slow.length > 0) out.slowSteps = slow
  for (const id of delta.removed) {
    const global = ctx.ids.forget(ctx.sourceId, id)
    if (global !== undefined) out.removed.push(global)
  }
  return out
}

/** One log line in global terms. */
export function translateLog(l: LogLine, ctx: TranslateContext): LogLine {
  return { ...l, loop: sourceLoopLabel(ctx.sourceId, l.loop), runId: ctx.runId, taskId: l.taskId === null ? null : (ctx.ids.peek(ctx.sourceId, l.taskId) ?? null) }
}
