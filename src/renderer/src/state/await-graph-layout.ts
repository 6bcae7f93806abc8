// Where each node of an await graph goes: dagre's layered layout (top-down, waiter above what it
// awaits), then each connected part cut out and the parts packed in rows. Left to dagre alone, 300
// unrelated running tasks would sit side by side on one rank, 50,000 px wide.
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

/**
 * A waiter with more than this many leaf children (tasks that wait on nothing here and have no
 * other awaiter: a gather's sleepers) gets them as one grid block: dagre places the block, the
 * grid places the children. A gather of 500 is then a 24 × 21 block, not a rank 90,000 px wide, and
 * dagre orders 3 nodes instead of 502.
 */
export const FANOUT_WRAP = 12

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
  /**
   * The lines to draw, waiter end first: one per graph edge, except that the edges into a fan-out
   * block are one line, to the block (keyed `<waiter>>grid`).
   */
  edges: Map<string, Point[]>
  /** Fan-out blocks: the frame drawn around a waiter's grid of leaf children. */
  blocks: { id: string; from: string; box: NodeBox; count: number }[]
}

/**
 * Lays `g` out: fan-outs wider than FANOUT_WRAP become grid blocks, every connected part goes
 * through one dagre run (rankdir TB: waiters above what they await), single unconnected nodes
 * make a grid, and the parts are packed in rows no wider than about a 16:9 box of their area.
 * Deterministic: the same graph gives the same boxes.
 *
 * @example
 * const { boxes, edges, width, height } = layoutAwaitGraph(buildAwaitGraph(tasks))
 */
export function layoutAwaitGraph(g: AwaitGraph): GraphLayout {
  const sizes = new Map(g.nodes.map((n) => [n.id, NODE_SIZE[n.kind]]))
  const grids = fanOuts(g)
  const inGrid = new Map<string, string>()
  for (const [from, leaves] of grids) for (const id of leaves) inGrid.set(id, from)

  const parts = connectedParts(g)
  const singles: string[] = []
  const linked: Part[] = []
  for (const p of parts) {
    if (p.nodes.length === 1) singles.push(p.nodes[0]!)
    else linked.push(p)
  }

  // One dagre run for every linked part: its fixed cost is paid once, not once per part. The parts
  // come out side by side on shared ranks; each is then cut out by its own bounding box.
  const placed: GraphLayout[] = []
  if (linked.length > 0) {
    const dg = new dagre.graphlib.Graph()
    dg.setGraph({ rankdir: 'TB', nodesep: NODE_SEP, ranksep: RANK_SEP, edgesep: 8, marginx: 0, marginy: 0 })
    dg.setDefaultEdgeLabel(() => ({}))
    const blockSize = new Map<string, { width: number; height: number; cols: number }>()
    for (const [from, leaves] of grids) blockSize.set(from, gridSize(leaves.map((id) => sizes.get(id)!)))
    for (const p of linked) {
      for (const id of p.nodes) if (!inGrid.has(id)) dg.setNode(id, { ...sizes.get(id)! })
      for (const from of p.nodes) {
        const b = blockSize.get(from)
        if (b) {
          dg.setNode(blockId(from), { width: b.width, height: b.height })
          dg.setEdge(from, blockId(from))
        }
      }
      for (const e of p.edges) if (!inGrid.has(e.to)) dg.setEdge(e.from, e.to)
    }
    dagre.layout(dg, { constraints: siblingOrder(linked, inGrid) })
    for (const p of linked) {
      const out: GraphLayout = { width: 0, height: 0, boxes: new Map(), edges: new Map(), blocks: [] }
      for (const id of p.nodes) {
        if (inGrid.has(id)) continue
        const n = dg.node(id) as { x: number; y: number; width: number; height: number }
        out.boxes.set(id, { x: n.x - n.width / 2, y: n.y - n.height / 2, width: n.width, height: n.height })
      }
      for (const e of p.edges) if (!inGrid.has(e.to)) out.edges.set(e.id, pointsOf(dg, e.from, e.to))
      for (const from of p.nodes) {
        const leaves = grids.get(from)
        if (!leaves) continue
        const n = dg.node(blockId(from)) as { x: number; y: number; width: number; height: number }
        const box = { x: n.x - n.width / 2, y: n.y - n.height / 2, width: n.width, height: n.height }
        out.blocks.push({ id: blockId(from), from, box, count: leaves.length })
        out.edges.set(`${from}>grid`, pointsOf(dg, from, blockId(from)))
        const { cols } = blockSize.get(from)!
        leaves.forEach((id, i) => {
          const s = sizes.get(id)!
          out.boxes.set(id, { x: box.x + GRID_PAD + (i % cols) * (s.width + NODE_SEP), y: box.y + GRID_PAD + Math.floor(i / cols) * (s.height + NODE_SEP), ...s })
        })
      }
      placed.push(normalise(out))
    }
  }
  if (singles.length > 0) placed.push(gridOf(singles.map((id) => [id, sizes.get(id)!])))
  return pack(placed)
}

/** Space between a fan-out block's frame and its children, px. */
const GRID_PAD = 8

function blockId(from: string): string {
  return `grid:${from}`
}

function pointsOf(dg: InstanceType<typeof dagre.graphlib.Graph>, from: string, to: string): Point[] {
  const label = dg.edge(from, to) as { points?: Point[] } | undefined
  return (label?.points ?? []).map((p) => ({ x: p.x, y: p.y }))
}

/**
 * Keeps a waiter's children left to right in the order it lists them (gather's argument order, so
 * Task-2 … Task-6 read as the table lists them); dagre's own tie-break would otherwise flip them.
 */
function siblingOrder(parts: Part[], inGrid: Map<string, string>): { left: string; right: string }[] {
  const out: { left: string; right: string }[] = []
  for (const p of parts) {
    let prev: { from: string; to: string } | null = null
    for (const e of p.edges) {
      if (inGrid.has(e.to)) continue
      if (prev && prev.from === e.from) out.push({ left: prev.to, right: e.to })
      prev = e
    }
  }
  return out
}

/** Waiters with more than FANOUT_WRAP leaf children, and those children in edge order. */
function fanOuts(g: AwaitGraph): Map<string, string[]> {
  const indeg = new Map<string, number>()
  const outdeg = new Map<string, number>()
  for (const e of g.edges) {
    indeg.set(e.to, (indeg.get(e.to) ?? 0) + 1)
    outdeg.set(e.from, (outdeg.get(e.from) ?? 0) + 1)
  }
  const leavesOf = new Map<string, string[]>()
  for (const e of g.edges) {
    if (indeg.get(e.to) !== 1 || outdeg.has(e.to)) continue
    let list = leavesOf.get(e.from)
    if (!list) leavesOf.set(e.from, (list = []))
    list.push(e.to)
  }
  for (const [from, list] of leavesOf) if (list.length <= FANOUT_WRAP) leavesOf.delete(from)
  return leavesOf
}

/** A fan-out block's size: at least FANOUT_WRAP columns, else about 16:9. */
function gridSize(cells: { width: number; height: number }[]): { width: number; height: number; cols: number } {
  const w = Math.max(...cells.map((c) => c.width)) + NODE_SEP
  const h = Math.max(...cells.map((c) => c.height)) + NODE_SEP
  const cols = Math.min(cells.length, Math.max(FANOUT_WRAP, Math.ceil(Math.sqrt((cells.length * h * 16) / (w * 9)))))
  const rows = Math.ceil(cells.length / cols)
  return { width: cols * w - NODE_SEP + 2 * GRID_PAD, height: rows * h - NODE_SEP + 2 * GRID_PAD, cols }
}

/** Moves a part so its bounding box starts at (0, 0). */
function normalise(l: GraphLayout): GraphLayout {
  let minX = Infinity
  let minY = Infinity
  let maxX = -Infinity
  let maxY = -Infinity
  const grow = (b: NodeBox) => {
    minX = Math.min(minX, b.x)
    minY = Math.min(minY, b.y)
    maxX = Math.max(maxX, b.x + b.width)
    maxY = Math.max(maxY, b.y + b.height)
  }
  for (const b of l.boxes.values()) grow(b)
  for (const b of l.blocks) grow(b.box)
  for (const pts of l.edges.values()) for (const p of pts) grow({ x: p.x, y: p.y, width: 0, height: 0 })
  return shift(l, -minX, -minY, maxX - minX, maxY - minY)
}

function shift(l: GraphLayout, dx: number, dy: number, width = l.width, height = l.height): GraphLayout {
  return {
    width,
    height,
    boxes: new Map([...l.boxes].map(([id, b]) => [id, { ...b, x: b.x + dx, y: b.y + dy }])),
    edges: new Map([...l.edges].map(([id, pts]) => [id, pts.map((p) => ({ x: p.x + dx, y: p.y + dy }))])),
    blocks: l.blocks.map((b) => ({ ...b, box: { ...b.box, x: b.box.x + dx, y: b.box.y + dy } })),
  }
}

/** Packs parts left to right in rows, in the order given. */
function pack(placed: GraphLayout[]): GraphLayout {
  const area = placed.reduce((s, p) => s + (p.width + PART_GAP) * (p.height + PART_GAP), 0)
  const widest = placed.reduce((m, p) => Math.max(m, p.width), 0)
  const rowWidth = Math.max(widest, Math.sqrt(area * (16 / 9)))
  const out: GraphLayout = { width: 0, height: 0, boxes: new Map(), edges: new Map(), blocks: [] }
  let x = 0
  let y = 0
  let rowHeight = 0
  for (const part of placed) {
    if (x > 0 && x + part.width > rowWidth) {
      x = 0
      y += rowHeight + PART_GAP
      rowHeight = 0
    }
    const moved = shift(part, x, y)
    for (const [id, b] of moved.boxes) out.boxes.set(id, b)
    for (const [id, pts] of moved.edges) out.edges.set(id, pts)
    out.blocks.push(...moved.blocks)
    out.width = Math.max(out.width, x + part.width)
    rowHeight = Math.max(rowHeight, part.height)
    x += part.width + PART_GAP
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

/** Unconnected nodes (tasks that neither wait on nor are awaited by anything here) in a compact grid. */
function gridOf(cells: [string, { width: number; height: number }][]): GraphLayout {
  const { cols } = gridSize(cells.map(([, s]) => s))
  const boxes = new Map<string, NodeBox>()
  const cellW = Math.max(...cells.map(([, s]) => s.width)) + NODE_SEP
  const cellH = Math.max(...cells.map(([, s]) => s.height)) + NODE_SEP
  cells.forEach(([id, s], i) => boxes.set(id, { x: (i % cols) * cellW, y: Math.floor(i / cols) * cellH, ...s }))
  const rows = Math.ceil(cells.length / cols)
  return { width: Math.min(cols, cells.length) * cellW - NODE_SEP, height: rows * cellH - NODE_SEP, boxes, edges: new Map(), blocks: [] }
}
