// Where each node of an await graph goes: dagre's layered layout (top-down, waiter above what it
// awaits), run per connected part, the parts then packed in rows. One dagre run over everything
// would put 300 unrelated running tasks side by side on one rank, 50,000 px wide.
import dagre from '@dagrejs/dagre'
import type { AwaitGraph, GraphNodeKind } from '../../../shared/await-graph'

/** Size of a node's box by kind: tasks carry a name and a state; combinators and waits are smaller. */
export const NODE_SIZE: Readonly<Record<GraphNodeKind, { width: number; height: number }>> = {
  task: { width: 164, height: 30 },
  gather: { width: 104, height: 20 },
  taskGroup: { width: 120, height: 20 },
  waitFor: { width: 104, height: 20 },
  shield: { width: 90, height: 20 },
  lock: { width: 120, height: 22 },
  queue: { width: 120, height: 22 },
  event: { width: 120, height: 22 },
  future: { width: 120, height: 22 },
  more: { width: 120, height: 26 },
}

/** Gaps, px: between nodes of one rank, between ranks, between packed parts. */
const NODE_SEP = 14
const RANK_SEP = 36
const PART_GAP = 28

export interface Point {
  x: number
  y: number
}

/** A node's box, top-left corner and size, in graph px. */
export interface NodeBox {
  x: number
  y: number
  width: number
  height: number
}

export interface GraphLayout {
  width: number
  height: number
  boxes: Map<string, NodeBox>
  /** Each edge's polyline, waiter end first. */
  edges: Map<string, Point[]>
}

/**
 * Lays `g` out: each connected part with dagre (rankdir TB), single unconnected nodes in a grid,
 * the parts in rows no wider than about a 16:9 box of their total area. Deterministic.
 *
 * @example
 * const { boxes, edges, width, height } = layoutAwaitGraph(buildAwaitGraph(tasks))
 */
export function layoutAwaitGraph(g: AwaitGraph): GraphLayout {
  const parts = connectedParts(g)
  const placed: { layout: GraphLayout }[] = []
  const singles: string[] = []
  for (const part of parts) {
    if (part.nodes.length === 1) singles.push(part.nodes[0]!)
    else placed.push({ layout: layoutPart(g, part) })
  }
  if (singles.length > 0) placed.push({ layout: gridOf(g, singles) })

  const area = placed.reduce((s, p) => s + (p.layout.width + PART_GAP) * (p.layout.height + PART_GAP), 0)
  const widest = placed.reduce((m, p) => Math.max(m, p.layout.width), 0)
  const rowWidth = Math.max(widest, Math.sqrt(area * (16 / 9)))

  const out: GraphLayout = { width: 0, height: 0, boxes: new Map(), edges: new Map() }
  let x = 0
  let y = 0
  let rowHeight = 0
  for (const { layout } of placed) {
    if (x > 0 && x + layout.width > rowWidth) {
      x = 0
      y += rowHeight + PART_GAP
      rowHeight = 0
    }
    for (const [id, b] of layout.boxes) out.boxes.set(id, { ...b, x: b.x + x, y: b.y + y })
    for (const [id, pts] of layout.edges) out.edges.set(id, pts.map((p) => ({ x: p.x + x, y: p.y + y })))
    out.width = Math.max(out.width, x + layout.width)
    rowHeight = Math.max(rowHeight, layout.height)
    x += layout.width + PART_GAP
  }
  out.height = y + rowHeight
  return out
}

interface Part {
  nodes: string[]
  edges: { id: string; from: string; to: string }[]
}

/** The graph's weakly connected parts, in the order their first node appears. */
function connectedParts(g: AwaitGraph): Part[] {
  const parent = new Map<string, string>()
  for (const n of g.nodes) parent.set(n.id, n.id)
  const find = (id: string): string => {
    let r = id
    while (parent.get(r) !== r) r = parent.get(r)!
    for (let c = id; c !== r; ) {
      const next = parent.get(c)!
      parent.set(c, r)
      c = next
    }
    return r
  }
  for (const e of g.edges) {
    const a = find(e.from)
    const b = find(e.to)
    if (a !== b) parent.set(b, a)
  }
  const parts = new Map<string, Part>()
  for (const n of g.nodes) {
    const r = find(n.id)
    let p = parts.get(r)
    if (!p) parts.set(r, (p = { nodes: [], edges: [] }))
    p.nodes.push(n.id)
  }
  for (const e of g.edges) parts.get(find(e.from))!.edges.push(e)
  return [...parts.values()]
}

function sizeOf(g: AwaitGraph): Map<string, { width: number; height: number }> {
  return new Map(g.nodes.map((n) => [n.id, NODE_SIZE[n.kind]]))
}

function layoutPart(g: AwaitGraph, part: Part): GraphLayout {
  const sizes = sizeOf(g)
  const dg = new dagre.graphlib.Graph()
  dg.setGraph({ rankdir: 'TB', nodesep: NODE_SEP, ranksep: RANK_SEP, edgesep: 8, marginx: 0, marginy: 0 })
  dg.setDefaultEdgeLabel(() => ({}))
  for (const id of part.nodes) dg.setNode(id, { ...sizes.get(id)! })
  for (const e of part.edges) dg.setEdge(e.from, e.to)
  dagre.layout(dg)
  const boxes = new Map<string, NodeBox>()
  for (const id of part.nodes) {
    const n = dg.node(id) as { x: number; y: number; width: number; height: number }
    boxes.set(id, { x: n.x - n.width / 2, y: n.y - n.height / 2, width: n.width, height: n.height })
  }
  const edges = new Map<string, Point[]>()
  for (const e of part.edges) {
    const label = dg.edge(e.from, e.to) as { points?: Point[] } | undefined
    edges.set(e.id, (label?.points ?? []).map((p) => ({ x: p.x, y: p.y })))
  }
  const graph = dg.graph() as { width?: number; height?: number }
  return { width: graph.width ?? 0, height: graph.height ?? 0, boxes, edges }
}

/** Unconnected nodes (tasks that neither wait on nor are awaited by anything here) in a compact grid. */
function gridOf(g: AwaitGraph, ids: string[]): GraphLayout {
  const sizes = sizeOf(g)
  const cellW = Math.max(...ids.map((id) => sizes.get(id)!.width)) + NODE_SEP
  const cellH = Math.max(...ids.map((id) => sizes.get(id)!.height)) + NODE_SEP
  const cols = Math.max(1, Math.ceil(Math.sqrt((ids.length * cellH * 16) / (cellW * 9))))
  const boxes = new Map<string, NodeBox>()
  ids.forEach((id, i) => {
    const s = sizes.get(id)!
    boxes.set(id, { x: (i % cols) * cellW, y: Math.floor(i / cols) * cellH, width: s.width, height: s.height })
  })
  const rows = Math.ceil(ids.length / cols)
  return { width: Math.min(cols, ids.length) * cellW - NODE_SEP, height: rows * cellH - NODE_SEP, boxes, edges: new Map() }
}
