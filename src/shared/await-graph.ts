// The await graph: who waits on whom right now, built from the task snapshots alone (no layout,
// no DOM). Nodes are tasks, the combinators a task is parked in (gather, task group, waitFor,
// shield) and the things it waits on (a lock, a queue, an event, a bare future); an edge points
// from the waiter to what it awaits. Ids are stable across deltas so a view can keep its layout
// while only states change, and `structureKey` says when the shape itself changed.
import { FINAL_STATES } from './snapshots'
import type { AwaitSnapshot, TaskSnapshot, TaskState } from './snapshots'

/** What a graph node stands for, written once. `more` is the one node standing for what the cap left out. */
export const GRAPH_NODE_KINDS = ['task', 'gather', 'taskGroup', 'waitFor', 'shield', 'lock', 'queue', 'event', 'future', 'more'] as const
export type GraphNodeKind = (typeof GRAPH_NODE_KINDS)[number]

/** Kinds that group a waiter's children (drawn small, between a task and the tasks it waits on). */
export const COMBINATOR_KINDS: readonly GraphNodeKind[] = ['gather', 'taskGroup', 'waitFor', 'shield']

/** How many nodes a graph holds at most by default (the rest is one "+N more" node). */
export const DEFAULT_MAX_NODES = 1_000

export interface GraphNode {
  /** Stable: `t:<taskId>`, `w:<waiterId>` (what that task is parked on), `r:<loop>/<label>` (a named resource), `more`. */
  id: string
  kind: GraphNodeKind
  /** The task's name, the await's text (`gather of 3`, `lock`), a resource's label (`Lock-3`), or `+N more`. */
  label: string
  /** Task nodes only (else null). */
  taskId: number | null
  /** Task nodes only (else null); not part of the structure: a state change never moves a node. */
  state: TaskState | null
  /** Task nodes only: a sleep the task is in (`sleep until 4.000s`), which gets no node of its own. */
  note: string | null
}

export interface GraphEdge {
  /** `<from>><to>`: stable, unique per pair. */
  id: string
  /** The waiter. */
  from: string
  /** What it awaits. */
  to: string
}

export interface AwaitGraph {
  nodes: GraphNode[]
  edges: GraphEdge[]
  /** Nodes the cap left out (counted in the `more` node's label). */
  hidden: number
  /** Node ids and kinds and edge ids in one string: equal keys mean the same shape (a layout can be kept). */
  structureKey: string
}

export interface BuildOptions {
  /** At most this many nodes (the last one `more` when something was left out); at least 2. */
  maxNodes?: number
}

/** The key of a task in the sets other views hand the graph (e.g. the deadlock detector's `flagged`): its app-wide id. */
export function taskKey(taskId: number): string {
  return String(taskId)
}

/** The id of a task's node. */
export function taskNodeId(taskId: number): string {
  return `t:${taskId}`
}

// First match wins; the texts are the TypeScript runtime's describe() and the Python agent's words.
const KIND_BY_TEXT: readonly [RegExp, GraphNodeKind][] = [
  [/^gather\b/i, 'gather'],
  [/^task ?group\b/i, 'taskGroup'],
  [/\bshield\b/i, 'shield'],
  [/\bwait_?for\b|\btimeout\b/i, 'waitFor'],
  [/\b(lock|semaphore)\b/i, 'lock'],
  [/\bqueue\b/i, 'queue'],
  [/\b(event|condition|barrier)\b/i, 'event'],
]

/**
 * A wait on a tracked resource, as the runtime describes it: `<op> <label>` (`acquire Lock-3`,
 * `get jobs`, `wait Event-1`). Its label names one resource of the loop, so all its waiters share
 * one node and contention shows; an anonymous wait (`queue get`, `Future`) may be a different
 * object for each waiter, so it gets a node per waiter.
 */
const RESOURCE_WAIT = /^(acquire|wait|get|put|join) (\S.*)$/
const KIND_BY_OP: Readonly<Record<string, GraphNodeKind>> = { acquire: 'lock', wait: 'event', get: 'queue', put: 'queue', join: 'queue' }
// A default label is the resource's class and ordinal (`BoundedSemaphore-2`): it tells the kind better than the op does (a Condition's wait).
const KIND_BY_LABEL: readonly [RegExp, GraphNodeKind][] = [
  [/^(Lock|Semaphore|BoundedSemaphore)-\d+$/, 'lock'],
  [/^(Queue|PriorityQueue|LifoQueue)-\d+$/, 'queue'],
  [/^(Event|Condition|Barrier)-\d+$/, 'event'],
]

/** The resource a wait names (`acquire Lock-3` → Lock-3, a lock), or null for an anonymous wait. */
export function resourceOf(a: AwaitSnapshot): { label: string; kind: GraphNodeKind } | null {
  if (a.kind !== 'future' || a.waitsOn !== undefined) return null
  const m = RESOURCE_WAIT.exec(a.text)
  if (!m) return null
  const label = m[2]!
  const byLabel = KIND_BY_LABEL.find(([re]) => re.test(label))
  return { label, kind: byLabel ? byLabel[1] : KIND_BY_OP[m[1]!]! }
}

/** What kind of node a non-task await becomes, read from its text (`gather of 3` → gather, `queue get` → queue). */
export function awaitKind(a: AwaitSnapshot): GraphNodeKind {
  if (a.waitsOn !== undefined && !/^task ?group\b/i.test(a.text)) return 'gather'
  const res = resourceOf(a)
  if (res) return res.kind
  for (const [re, kind] of KIND_BY_TEXT) if (re.test(a.text)) return kind
  return 'future'
}

const FINAL = new Set<TaskState>(FINAL_STATES)

/**
 * Builds the await graph of `tasks` (one scope's snapshots): every live task, plus the ended tasks
 * a live one still waits on (a gather's finished children). A sleep is a note on its task, not a
 * node. Past `maxNodes` the rest is one `more` node, kept by walking from the tasks nobody awaits
 * (then whatever is left, e.g. a cycle) so whole chains stay together. Pure: same input, same graph.
 *
 * @example
 * const g = buildAwaitGraph(store.tasks.values())
 * // main awaiting gather(a, b): t:1 → w:1 (gather of 2) → t:2, t:3
 */
export function buildAwaitGraph(tasks: Iterable<TaskSnapshot>, opts: BuildOptions = {}): AwaitGraph {
  const maxNodes = Math.max(2, opts.maxNodes ?? DEFAULT_MAX_NODES)
  const byId = new Map<number, TaskSnapshot>()
  for (const t of tasks) byId.set(t.id, t)

  const nodes = new Map<string, GraphNode>()
  const out = new Map<string, string[]>()
  const incoming = new Set<string>()
  const addEdge = (from: string, to: string): void => {
    const list = out.get(from)
    if (!list) out.set(from, [to])
    else if (!list.includes(to)) list.push(to)
    incoming.add(to)
  }
  const addTask = (t: TaskSnapshot): string => {
    const id = taskNodeId(t.id)
    if (!nodes.has(id)) {
      const note = t.awaiting?.kind === 'sleep' ? t.awaiting.text : null
      nodes.set(id, { id, kind: 'task', label: t.name, taskId: t.id, state: t.state, note })
    }
    return id
  }

  const ids = [...byId.keys()].sort((a, b) => a - b)
  for (const id of ids) {
    const t = byId.get(id)!
    if (FINAL.has(t.state)) continue
    const from = addTask(t)
    const a = t.awaiting
    if (!a || a.kind === 'sleep') continue
    const target = a.taskId == null ? undefined : byId.get(a.taskId)
    if (a.kind === 'task' && target) {
      addEdge(from, addTask(target))
      continue
    }
    const kind = a.kind === 'task' ? 'future' : awaitKind(a)
    const res = resourceOf(a)
    // A resource is one per loop (`Lock-1` of one run is not `Lock-1` of another process).
    const waitId = res ? `r:${t.loop}/${res.label}` : `w:${t.id}`
    if (!nodes.has(waitId)) nodes.set(waitId, { id: waitId, kind, label: res ? res.label : a.text, taskId: null, state: null, note: null })
    addEdge(from, waitId)
    for (const childId of a.waitsOn ?? []) {
      const child = byId.get(childId)
      if (child) addEdge(waitId, addTask(child))
    }
  }

  const keep = capNodes([...nodes.keys()], out, incoming, maxNodes)
  const hidden = nodes.size - keep.length
  const kept = new Set(keep)
  const moreId = 'more'
  const edges: GraphEdge[] = []
  const edgeSeen = new Set<string>()
  for (const from of keep) {
    for (const to0 of out.get(from) ?? []) {
      const to = kept.has(to0) ? to0 : moreId
      const id = `${from}>${to}`
      if (edgeSeen.has(id)) continue
      edgeSeen.add(id)
      edges.push({ id, from, to })
    }
  }
  const list = keep.map((id) => nodes.get(id)!)
  if (hidden > 0) list.push({ id: moreId, kind: 'more', label: `+${hidden} more`, taskId: null, state: null, note: null })
  const structureKey = `${list.map((n) => `${n.id}/${n.kind}`).join(',')}|${edges.map((e) => e.id).join(',')}`
  return { nodes: list, edges, hidden, structureKey }
}

/**
 * The node ids to keep, in walk order: depth first from each root (no incoming edge, in id order),
 * then from whatever was not reached (cycles). All of them when they fit; else the first
 * `maxNodes - 1`, leaving room for the `more` node.
 */
function capNodes(order: string[], out: Map<string, string[]>, incoming: Set<string>, maxNodes: number): string[] {
  if (order.length <= maxNodes) return order
  const limit = maxNodes - 1
  const seen = new Set<string>()
  const keep: string[] = []
  const walk = (start: string): void => {
    const stack = [start]
    while (stack.length > 0 && keep.length < limit) {
      const id = stack.pop()!
      if (seen.has(id)) continue
      seen.add(id)
      keep.push(id)
      const next = out.get(id) ?? []
      for (let i = next.length - 1; i >= 0; i--) if (!seen.has(next[i]!)) stack.push(next[i]!)
    }
  }
  for (const id of order) if (!incoming.has(id) && keep.length < limit) walk(id)
  for (const id of order) if (keep.length < limit) walk(id)
  return keep
}
