// Deadlock detection over what the window already has: the task snapshots (their `awaiting`, with
// gather / task-group `waitsOn`) and, where the source reports them, the loops' resources. Pure:
// the renderer runs it on every refresh, for every source (a source without resources still gets
// its await cycles found).
//
// The rules, per loop (tasks of different loops never wake each other here):
//
// 1. A live task CAN PROGRESS when it is pending or running; when it waits on a sleep, on nothing
//    known, or on a future this function does not understand (I/O, a callback: assume it comes);
//    when it awaits a task that ended or can progress; when it awaits a gather / task group one of
//    whose children can progress (or all ended, or the list was cut); when it waits to acquire a
//    Lock / Condition / Semaphore that is free, whose holders are unknown, or one of whose holders
//    can progress (locks are released by the task that acquired them: `async with`); and when it
//    waits on an Event, a Condition's notify, a Queue get/put/join or a Barrier that is already
//    passable (set, non-empty, not full, nothing unfinished, broken) or while ANY other task of
//    its loop can progress (anyone might set, put, notify: the rule Go's runtime uses for
//    "all goroutines are asleep"). What cannot progress by these rules (a fixpoint) is STUCK.
// 2. Among stuck tasks, each finding names its cause:
//    - await-cycle: tasks awaiting each other in a ring (through gather / task groups, and through
//      locks held by a task of the ring);
//    - held-by-ended: a lock / semaphore held by a task that ended without releasing it;
//    - never-set / no-producer / no-consumer / never-notified: an Event nobody can set, a Queue
//      nobody can put into (or take from, or finish), a Condition or Barrier nobody can reach,
//      while every live task of the loop is stuck.
//    Stuck tasks that only wait on a finding's tasks (main awaiting a gather of them) are that
//    finding's `blockedIds`.
import type { LoopResources, ResourceInfo, WaitOp } from './resources-contract'
import { FINAL_STATES, MAX_WAITS_ON } from './snapshots'
import type { TaskSnapshot, TaskState } from './snapshots'

export const DEADLOCK_KINDS = ['await-cycle', 'held-by-ended', 'never-set', 'no-producer', 'no-consumer', 'never-notified'] as const
export type DeadlockKind = (typeof DEADLOCK_KINDS)[number]

export interface DeadlockFinding {
  kind: DeadlockKind
  loop: string
  /** The tasks at the heart of it (the ring; the waiters on the resource). */
  taskIds: number[]
  /** Stuck tasks that wait on these (through awaits, gathers, locks). */
  blockedIds: number[]
  /** The resource concerned, if any. */
  resource: { id: number; label: string; kind: string } | null
  /** One sentence naming the tasks and the resource. */
  explanation: string
  /** Stable while the finding lasts (kind, loop, resource, tasks). */
  key: string
}

const FINAL = new Set<TaskState>(FINAL_STATES)
/** Names listed in one sentence before "and N more". */
const NAMES_IN_SENTENCE = 4

interface Wait {
  res: ResourceInfo
  op: WaitOp
}

/** What one stuck task depends on, for cycles and for `blockedIds`. */
type Edge = { to: number; via: string }

/**
 * Every deadlock among `tasks`, by the rules above. `resources` are the loops' resource lists
 * (`loop:resources`); loops missing from it are judged on awaits alone.
 * @example findDeadlocks([...store.tasks.values()], snapshot.loops)
 */
export function findDeadlocks(tasks: Iterable<TaskSnapshot>, resources: readonly LoopResources[] = []): DeadlockFinding[] {
  const byLoop = new Map<string, TaskSnapshot[]>()
  const all = new Map<number, TaskSnapshot>()
  for (const t of tasks) {
    all.set(t.id, t)
    if (FINAL.has(t.state)) continue
    let list = byLoop.get(t.loop)
    if (!list) byLoop.set(t.loop, (list = []))
    list.push(t)
  }
  const resByLoop = new Map(resources.map((l) => [l.loop, l.resources]))
  const out: DeadlockFinding[] = []
  for (const [loop, live] of byLoop) out.push(...loopDeadlocks(loop, live, all, resByLoop.get(loop) ?? []))
  return out
}

/** The flagged task ids of some findings: their tasks and, with `blocked`, those they block. */
export function flaggedTasks(findings: readonly DeadlockFinding[], blocked = true): Set<number> {
  const out = new Set<number>()
  for (const f of findings) {
    for (const id of f.taskIds) out.add(id)
    if (blocked) for (const id of f.blockedIds) out.add(id)
  }
  return out
}

function loopDeadlocks(loop: string, live: TaskSnapshot[], all: Map<number, TaskSnapshot>, resources: readonly ResourceInfo[]): DeadlockFinding[] {
  const waits = new Map<number, Wait>()
  for (const res of resources) for (const w of res.waiters) waits.set(w.taskId, { res, op: w.op })
  const ended = (id: number): boolean => {
    const t = all.get(id)
    return t !== undefined && FINAL.has(t.state)
  }
  const liveIds = new Set(live.map((t) => t.id))
  // A holder the window no longer has (evicted): it may be anything, so assume it can release.
  const unknown = (id: number): boolean => !liveIds.has(id) && !all.has(id)
  const progress = new Set<number>()

  // Whether `t` can progress given `progress` so far; `signals`: whether signal waits count as passable.
  const canProgress = (t: TaskSnapshot, signals: boolean): boolean => {
    if (t.state === 'pending' || t.state === 'running') return true
    const wait = waits.get(t.id)
    if (wait) return resourcePasses(wait, progress, unknown, signals)
    const a = t.awaiting
    if (a === null || a.kind === 'sleep') return true
    if (a.taskId !== null) return !liveIds.has(a.taskId) || progress.has(a.taskId)
    const on = a.waitsOn
    if (on === undefined || on.length === 0 || on.length >= MAX_WAITS_ON) return true // a future we cannot see into
    return on.every((id) => !liveIds.has(id)) || on.some((id) => progress.has(id))
  }
  const fixpoint = (signals: boolean): void => {
    for (let changed = true; changed; ) {
      changed = false
      for (const t of live) {
        if (!progress.has(t.id) && canProgress(t, signals)) {
          progress.add(t.id)
          changed = true
        }
      }
    }
  }
  fixpoint(false)
  // Anyone still running might set the event, put the item, notify: then signal waits are fine.
  if (progress.size > 0) fixpoint(true)
  const stuck = live.filter((t) => !progress.has(t.id))
  if (stuck.length === 0) return []

  const stuckIds = new Set(stuck.map((t) => t.id))
  const edges = new Map<number, Edge[]>()
  for (const t of stuck) edges.set(t.id, edgesOf(t, waits.get(t.id), stuckIds))

  const findings: DeadlockFinding[] = []
  const name = (id: number): string => taskName(all.get(id), id)
  // Await cycles (strongly connected parts with a ring in them).
  for (const ring of rings(stuck.map((t) => t.id), edges)) {
    const parts = ring.map((id, i) => {
      const next = ring[(i + 1) % ring.length]!
      const via = edges.get(id)!.find((e) => e.to === next)!.via
      return `${name(id)} ${via} ${name(next)}`
    })
    const sentence =
      ring.length === 1
        ? `${parts[0]}: it waits on itself and can never finish.`
        : `${parts.join(', ')}: none of them can ever finish.`
    findings.push(finding('await-cycle', loop, [...ring].sort((a, b) => a - b), null, sentence))
  }
  // Resources nobody can release or pass.
  for (const res of resources) {
    const waiting = res.waiters.filter((w) => stuckIds.has(w.taskId))
    if (waiting.length === 0) continue
    const ids = waiting.map((w) => w.taskId)
    const who = names(ids.map(name))
    const op = waiting[0]!.op
    if (op === 'acquire') {
      const endedHolders = res.holders.filter(ended)
      if (endedHolders.length === 0 || res.holders.some((h) => !ended(h))) continue // a ring (found above) or a chain to another finding
      const holder = names(endedHolders.map((h) => `${name(h)} (${all.get(h)!.state})`))
      findings.push(finding('held-by-ended', loop, ids, res, `${res.kind} ${res.label} is held by ${holder}, which ended without releasing it: ${who} ${waitVerb(ids.length)} to acquire it forever.`))
      continue
    }
    const everyone = `no live task of ${loop} can ${signalAct(res, op)}: all ${live.length} wait on each other`
    const kind: DeadlockKind =
      res.kind === 'Event' ? 'never-set' : op === 'get' ? 'no-producer' : op === 'put' || op === 'join' ? 'no-consumer' : 'never-notified'
    findings.push(finding(kind, loop, ids, res, `${who} ${waitVerb(ids.length)} to ${op} ${res.kind} ${res.label}, but ${everyone}.`))
  }
  // What the rest of the stuck tasks wait on: each finding's blocked set.
  const primary = new Set(findings.flatMap((f) => f.taskIds))
  const reverse = new Map<number, number[]>()
  for (const [from, es] of edges) for (const e of es) (reverse.get(e.to) ?? reverse.set(e.to, []).get(e.to)!).push(from)
  for (const f of findings) {
    const seen = new Set<number>(f.taskIds)
    const todo = [...f.taskIds]
    while (todo.length > 0) {
      for (const from of reverse.get(todo.pop()!) ?? []) {
        if (seen.has(from)) continue
        seen.add(from)
        todo.push(from)
        if (!primary.has(from)) f.blockedIds.push(from)
      }
    }
    f.blockedIds.sort((a, b) => a - b)
  }
  return findings
}

/** Whether a resource wait can end, given who can progress. */
function resourcePasses(wait: Wait, progress: Set<number>, unknown: (id: number) => boolean, signals: boolean): boolean {
  const { res, op } = wait
  if (op === 'acquire') {
    if (res.kind === 'Semaphore' || res.kind === 'BoundedSemaphore') {
      if ((res.value ?? 0) > 0) return true
      const held = (res.initial ?? 0) - (res.value ?? 0)
      if (res.holders.length === 0 || res.holders.length < held || res.holdersTotal !== undefined) return true // units held by code we cannot see
    } else if (res.locked !== true || res.holders.length === 0 || res.holdersTotal !== undefined) return true
    return res.holders.some((h) => progress.has(h) || unknown(h))
  }
  if (passable(res, op)) return true
  return signals
}

/** A signal resource that would let a waiter through now (it is about to be woken). */
function passable(res: ResourceInfo, op: WaitOp): boolean {
  if (res.kind === 'Event') return res.isSet === true
  if (res.kind === 'Barrier') return res.broken === true
  if (op === 'get') return (res.size ?? 0) > 0
  if (op === 'put') return res.maxsize === undefined || res.maxsize <= 0 || (res.size ?? 0) < res.maxsize
  if (op === 'join') return (res.unfinished ?? 0) === 0
  return false
}

function edgesOf(t: TaskSnapshot, wait: Wait | undefined, stuck: Set<number>): Edge[] {
  if (wait) {
    if (wait.op !== 'acquire') return []
    return wait.res.holders.filter((h) => stuck.has(h)).map((to) => ({ to, via: `waits to acquire ${wait.res.label} held by` }))
  }
  const a = t.awaiting
  if (a === null) return []
  if (a.taskId !== null) return stuck.has(a.taskId) ? [{ to: a.taskId, via: 'awaits' }] : []
  return (a.waitsOn ?? []).filter((id) => stuck.has(id)).map((to) => ({ to, via: `awaits (through ${a.text})` }))
}

/**
 * One ring per strongly connected part that has one (Tarjan's algorithm, iterative: a chain of
 * 10,000 stuck tasks must not overflow the stack), each as the ids in await order.
 */
function rings(ids: number[], edges: Map<number, Edge[]>): number[][] {
  const index = new Map<number, number>()
  const low = new Map<number, number>()
  const onStack = new Set<number>()
  const stack: number[] = []
  const out: number[][] = []
  let next = 0
  for (const root of ids) {
    if (index.has(root)) continue
    const work: { v: number; i: number }[] = [{ v: root, i: 0 }]
    index.set(root, next)
    low.set(root, next++)
    stack.push(root)
    onStack.add(root)
    while (work.length > 0) {
      const frame = work[work.length - 1]!
      const es = edges.get(frame.v) ?? []
      if (frame.i < es.length) {
        const w = es[frame.i++]!.to
        if (!index.has(w)) {
          index.set(w, next)
          low.set(w, next++)
          stack.push(w)
          onStack.add(w)
          work.push({ v: w, i: 0 })
        } else if (onStack.has(w)) low.set(frame.v, Math.min(low.get(frame.v)!, index.get(w)!))
        continue
      }
      work.pop()
      if (work.length > 0) {
        const parent = work[work.length - 1]!.v
        low.set(parent, Math.min(low.get(parent)!, low.get(frame.v)!))
      }
      if (low.get(frame.v) !== index.get(frame.v)) continue
      const part: number[] = []
      for (let w = -1; w !== frame.v; ) {
        w = stack.pop()!
        onStack.delete(w)
        part.push(w)
      }
      const selfLoop = part.length === 1 && (edges.get(part[0]!) ?? []).some((e) => e.to === part[0])
      if (part.length > 1 || selfLoop) out.push(ringIn(new Set(part), edges))
    }
  }
  return out
}

/** A shortest ring through the part's smallest id (breadth-first back to it). */
function ringIn(part: Set<number>, edges: Map<number, Edge[]>): number[] {
  const start = Math.min(...part)
  const prev = new Map<number, number>()
  const queue = [start]
  for (let q = 0; q < queue.length; q++) {
    const v = queue[q]!
    for (const { to } of edges.get(v) ?? []) {
      if (!part.has(to)) continue
      if (to === start) {
        const ring = [v]
        for (let w = v; w !== start; ) ring.push((w = prev.get(w)!))
        return ring.reverse()
      }
      if (!prev.has(to)) {
        prev.set(to, v)
        queue.push(to)
      }
    }
  }
  return [start]
}

function finding(kind: DeadlockKind, loop: string, taskIds: number[], res: ResourceInfo | null, explanation: string): DeadlockFinding {
  const resource = res === null ? null : { id: res.id, label: res.label, kind: res.kind }
  return { kind, loop, taskIds, blockedIds: [], resource, explanation, key: `${kind}:${loop}:${res?.id ?? ''}:${taskIds.join(',')}` }
}

function taskName(t: TaskSnapshot | undefined, id: number): string {
  return t === undefined ? `task #${id}` : `${t.name} (#${id})`
}

function names(list: string[]): string {
  if (list.length <= NAMES_IN_SENTENCE) return list.length <= 1 ? (list[0] ?? '') : `${list.slice(0, -1).join(', ')} and ${list[list.length - 1]}`
  return `${list.slice(0, NAMES_IN_SENTENCE).join(', ')} and ${list.length - NAMES_IN_SENTENCE} more`
}

function waitVerb(n: number): string {
  return n === 1 ? 'waits' : 'wait'
}

function signalAct(res: ResourceInfo, op: WaitOp): string {
  if (res.kind === 'Event') return 'set it'
  if (op === 'get') return 'put into it'
  if (op === 'put') return 'take from it'
  if (op === 'join') return 'mark its items done'
  if (res.kind === 'Barrier') return 'arrive at it'
  return 'notify it'
}
