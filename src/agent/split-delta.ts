// A monitor delta cut to the protocol's bounds: long texts clipped, long lists split over several
// deltas, and any delta whose line would pass the hub's line limit halved until it fits.
import {
  MAX_CLOCKS_PER_DELTA,
  MAX_ERROR_MESSAGE_LENGTH,
  MAX_LINE_BYTES,
  MAX_LOGS_PER_DELTA,
  MAX_LOG_LINE_LENGTH,
  MAX_NAME_LENGTH,
  MAX_REMOVED_PER_DELTA,
  MAX_SEGMENT_APPENDS_PER_DELTA,
  MAX_SLOW_STEPS_PER_DELTA,
  MAX_STACK_LENGTH,
  MAX_TASKS_PER_DELTA_LIST,
  MAX_TEXT_LENGTH,
  clip,
  encodeLine,
} from '../shared/agent-protocol/index'
import type { LogLine, SlowStep, TaskDelta, TaskSnapshot } from '../shared/snapshots'

/** A task snapshot whose texts fit the protocol (a user's error message may be any length). */
export function clipSnapshot(s: TaskSnapshot): TaskSnapshot {
  // Nearly every snapshot fits as it is: hand it on uncopied (the monitor never changes one it sent).
  if (fits(s)) return s
  const out: TaskSnapshot = { ...s, name: clip(s.name, MAX_NAME_LENGTH) }
  if (s.awaiting) out.awaiting = { ...s.awaiting, text: clip(s.awaiting.text, MAX_TEXT_LENGTH) }
  if (s.cancel) {
    out.cancel = { ...s.cancel, reason: s.cancel.reason === null ? null : clip(s.cancel.reason, MAX_TEXT_LENGTH) }
    if (s.cancel.by) out.cancel.by = { ...s.cancel.by, name: clip(s.cancel.by.name, MAX_NAME_LENGTH) }
  }
  if (s.error) {
    out.error = {
      name: clip(s.error.name, MAX_NAME_LENGTH),
      message: clip(s.error.message, MAX_ERROR_MESSAGE_LENGTH),
      stack: s.error.stack === null ? null : clip(s.error.stack, MAX_STACK_LENGTH),
    }
  }
  return out
}

function fits(s: TaskSnapshot): boolean {
  return (
    s.name.length <= MAX_NAME_LENGTH &&
    (s.awaiting === null || s.awaiting.text.length <= MAX_TEXT_LENGTH) &&
    (s.cancel === null || ((s.cancel.reason === null || s.cancel.reason.length <= MAX_TEXT_LENGTH) && (s.cancel.by === undefined || s.cancel.by.name.length <= MAX_NAME_LENGTH))) &&
    (s.error === null || (s.error.name.length <= MAX_NAME_LENGTH && s.error.message.length <= MAX_ERROR_MESSAGE_LENGTH && (s.error.stack === null || s.error.stack.length <= MAX_STACK_LENGTH)))
  )
}

function clipLog(l: LogLine): LogLine {
  const line = l.line.length > MAX_LOG_LINE_LENGTH ? clip(l.line, MAX_LOG_LINE_LENGTH) : l.line
  const taskName = l.taskName === null ? null : clip(l.taskName, MAX_NAME_LENGTH)
  return line === l.line && taskName === l.taskName ? l : { ...l, line, taskName }
}

/** A slow step whose texts fit the protocol (a task's name may be any length). */
function clipSlow(st: SlowStep): SlowStep {
  const text = (t: string | null) => (t === null ? null : clip(t, MAX_TEXT_LENGTH))
  if (st.taskName.length <= MAX_NAME_LENGTH && (st.resumedFrom?.length ?? 0) <= MAX_TEXT_LENGTH && (st.parkedOn?.length ?? 0) <= MAX_TEXT_LENGTH) return st
  return { ...st, taskName: clip(st.taskName, MAX_NAME_LENGTH), resumedFrom: text(st.resumedFrom), parkedOn: text(st.parkedOn) }
}

// In the order the hub checks a delta: a task's creation before anything that names it (slow
// steps last: the app drops one naming a task it does not know yet).
const LIST_BOUNDS = {
  created: MAX_TASKS_PER_DELTA_LIST,
  changed: MAX_TASKS_PER_DELTA_LIST,
  ended: MAX_TASKS_PER_DELTA_LIST,
  removed: MAX_REMOVED_PER_DELTA,
  segments: MAX_SEGMENT_APPENDS_PER_DELTA,
  logs: MAX_LOGS_PER_DELTA,
  clocks: MAX_CLOCKS_PER_DELTA,
  slowSteps: MAX_SLOW_STEPS_PER_DELTA,
} as const
type ListKey = keyof typeof LIST_BOUNDS
const LIST_KEYS = Object.keys(LIST_BOUNDS) as ListKey[]
type Lists = Record<ListKey, unknown[]>

/** Room left in a line for the `{"type":"tasks:delta","delta":…}` wrapper. */
const LINE_BUDGET = MAX_LINE_BYTES - 1024

/**
 * Splits one monitor delta into deltas within the protocol's bounds, in order: its items are cut
 * as one sequence (created, changed, ended, removed, segments, logs), so a part never names a
 * task that a later part creates. `nextSeq` numbers them, so seq keeps increasing.
 *
 * @example for (const d of splitDelta(delta, () => ++seq)) conn.send({ type: 'tasks:delta', delta: d })
 */
export function splitDelta(delta: TaskDelta, nextSeq: () => number): TaskDelta[] {
  return splitDeltaLines(delta, nextSeq).map((p) => p.delta)
}

/**
 * splitDelta, returning each part with its `tasks:delta` line encoded once (what the agent sends),
 * so a big delta is never encoded twice.
 */
export function splitDeltaLines(delta: TaskDelta, nextSeq: () => number): { delta: TaskDelta; line: string }[] {
  const clipped: TaskDelta = {
    ...delta,
    created: delta.created.map(clipSnapshot),
    changed: delta.changed.map(clipSnapshot),
    ended: delta.ended.map(clipSnapshot),
    logs: delta.logs.map(clipLog),
  }
  if (delta.slowSteps) clipped.slowSteps = delta.slowSteps.map(clipSlow)
  const out: TaskDelta[] = []
  for (const part of byCount(clipped)) out.push(...bySize(part, nextSeq))
  return out.map((d) => ({ delta: d, line: lineOf(d) }))
}

const lines = new WeakMap<TaskDelta, string>()

/** The delta's line: the one bySize encoded while checking its size, or encoded now. */
function lineOf(d: TaskDelta): string {
  return lines.get(d) ?? encodeLine({ type: 'tasks:delta', delta: d })
}

type Item = [ListKey, unknown]

function items(delta: TaskDelta): Item[] {
  const out: Item[] = []
  for (const k of LIST_KEYS) for (const x of (delta as unknown as Partial<Lists>)[k] ?? []) out.push([k, x])
  return out
}

function build(from: TaskDelta, list: Item[]): TaskDelta {
  const d = emptyLike(from)
  const lists = d as unknown as Lists
  for (const [k, x] of list) (lists[k] ??= []).push(x)
  if (d.segments?.length === 0) delete d.segments
  return d
}

/** Greedy packing of the item sequence into parts within every list's bound. */
function byCount(delta: TaskDelta): TaskDelta[] {
  if (LIST_KEYS.every((k) => ((delta as unknown as Partial<Lists>)[k]?.length ?? 0) <= LIST_BOUNDS[k])) return [delta]
  const out: TaskDelta[] = []
  let part: Item[] = []
  const counts = new Map<ListKey, number>()
  for (const item of items(delta)) {
    const n = counts.get(item[0]) ?? 0
    if (n >= LIST_BOUNDS[item[0]]) {
      out.push(build(delta, part))
      part = []
      counts.clear()
    }
    part.push(item)
    counts.set(item[0], (counts.get(item[0]) ?? 0) + 1)
  }
  if (part.length > 0) out.push(build(delta, part))
  return out
}

/**
 * An upper estimate of a delta's JSON length without encoding it (encoding twice per delta was a
 * measurable part of the agent's cost): its texts, plus a generous allowance for the rest.
 */
function roughSize(delta: TaskDelta): number {
  let n = 1_000
  for (const list of [delta.created, delta.changed, delta.ended]) {
    for (const s of list) {
      n += 800 + s.name.length + (s.awaiting?.text.length ?? 0) + (s.cancel?.reason?.length ?? 0) + (s.cancel?.by?.name.length ?? 0)
      if (s.error) n += s.error.name.length + s.error.message.length + (s.error.stack?.length ?? 0)
    }
  }
  for (const l of delta.logs) n += 200 + l.line.length + (l.taskName?.length ?? 0)
  for (const a of delta.segments ?? []) n += 150 + 70 * a.segments.length
  for (const st of delta.slowSteps ?? []) n += 300 + st.taskName.length + (st.resumedFrom?.length ?? 0) + (st.parkedOn?.length ?? 0)
  return n + 20 * delta.removed.length + 120 * delta.clocks.length
}

/**
 * Halves the item sequence until each part's line fits, numbering the parts in order (a part
 * whose size was checked keeps its encoded line, so it is not encoded again).
 */
function bySize(delta: TaskDelta, nextSeq: () => number): TaskDelta[] {
  // Twice the estimate covers escaped characters; only a delta near the bound is encoded to check.
  if (2 * roughSize(delta) <= LINE_BUDGET) {
    delta.seq = nextSeq()
    return [delta]
  }
  const seqBefore = delta.seq
  delta.seq = 0
  const line = encodeLine({ type: 'tasks:delta', delta })
  if (Buffer.byteLength(line) <= LINE_BUDGET) {
    const seq = nextSeq()
    delta.seq = seq
    // The line was encoded with seq 0: put the real one in (the first "seq":0 is the delta's).
    lines.set(delta, line.replace('"delta":{"seq":0,', `"delta":{"seq":${seq},`))
    return [delta]
  }
  delta.seq = seqBefore
  const all = items(delta)
  // One item too big for a line (clipped texts make that near impossible): dropped, not sent.
  if (all.length <= 1) return []
  const half = Math.ceil(all.length / 2)
  const a = build(delta, all.slice(0, half))
  const b = build(delta, all.slice(half))
  return [...bySize(a, nextSeq), ...bySize(b, nextSeq)]
}

function emptyLike(delta: TaskDelta): TaskDelta {
  const d: TaskDelta = { seq: delta.seq, created: [], changed: [], ended: [], removed: [], logs: [], clocks: [] }
  if (delta.segments) d.segments = []
  return d
}
