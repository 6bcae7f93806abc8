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
   * The lines to draw, waiter end first: one per graph edge, except that the edges into (or out
   * of) a block are one line, keyed `<waiter>><block id>` (or `<block id>><awaited>`).
   */
  edges: Map<string, Point[]>
  /**
   * Blocks: the frame drawn around a grid of tasks. `out`: a waiter's leaf children below it (a
   * gather's sleepers); `in`: the lone waiters of one thing above it (300 tasks on one lock).
   */
  blocks: Block[]
}

export interface Block {
  id: string
  /** The node the block's tasks hang from (`out`) or wait on (`in`). */
  owner: string
  dir: 'out' | 'in'
  box: NodeBox
  count: number
}

/** One node dagre places: a graph node, or a block standing for its grid. */
interface Slot {
  id: string
  width: number
  height: number
}

/** A linked part as dagre sees it: slots, edges between them by index, and sibling order pairs. */
interface Shape {
  slots: Slot[]
  edges: { id: string; from: number; to: number }[]
  order: [number, number][]
  /** Equal keys: equal input to dagre (sizes, edges, order), so one layout serves both. */
  key: string
}

/**
 * Lays `g` out: fan-outs and fan-ins wider than FANOUT_WRAP become grid blocks, every connected
 * part of a distinct shape goes through one dagre run (rankdir TB: waiters above what they
 * await; 100 workers each awaiting its own queue get are one shape, laid out once), single
 * unconnected nodes make a grid, and the parts are packed in rows no wider than about a 16:9 box
 * of their area. Deterministic: the same graph gives the same boxes.
 *
 * @example
 * const { boxes, edges, width, height } = layoutAwaitGraph(buildAwaitGraph(tasks))
 */
export function layoutAwaitGraph(g: AwaitGraph): GraphLayout {
  const sizes = new Map(g.nodes.map((n) => [n.id, NODE_SIZE[n.kind]]))
  const blocks = findBlocks(g)
  const planById = new Map(blocks.map((b) => [b.id, b]))
  const blockOf = new Map<string, BlockPlan>()
  for (const b of blocks) for (const id of b.members) blockOf.set(id, b)
  const blocksByOwner = new Map<string, BlockPlan[]>()
  for (const b of blocks) {
    const list = blocksByOwner.get(b.owner)
    if (list) list.push(b)
    else blocksByOwner.set(b.owner, [b])
  }

  const parts = connectedParts(g)
  const singles: string[] = []
  const shapes: { part: Part; shape: Shape }[] = []
  for (const p of parts) {
    if (p.nodes.length === 1) singles.push(p.nodes[0]!)
    else shapes.push({ part: p, shape: shapeOf(p, sizes, blockOf, blocksByOwner) })
  }

  // One dagre run for one part of each distinct shape: its fixed cost is paid once, not once per
  // part, and identical parts cost nothing more. The parts come out side by side on shared ranks;
  // each is then cut out by its own bounding box.
  const firstOfShape = new Map<string, Shape>()
  for (const { shape } of shapes) if (!firstOfShape.has(shape.key)) firstOfShape.set(shape.key, shape)
  const placedSlots = new Map<string, { boxes: NodeBox[]; edges: Point[][] }>()
  if (firstOfShape.size > 0) {
    const dg = new dagre.graphlib.Graph()
    dg.setGraph({ rankdir: 'TB', nodesep: NODE_SEP, ranksep: RANK_SEP, edgesep: 8, marginx: 0, marginy: 0 })
    dg.setDefaultEdgeLabel(() => ({}))
    const constraints: { left: string; right: string }[] = []
    for (const sh of firstOfShape.values()) {
      for (const s of sh.slots) dg.setNode(s.id, { width: s.width, height: s.height })
      for (const e of sh.edges) dg.setEdge(sh.slots[e.from]!.id, sh.slots[e.to]!.id)
      for (const [l, r] of sh.order) constraints.push({ left: sh.slots[l]!.id, right: sh.slots[r]!.id })
    }
    dagre.layout(dg, { constraints })
    for (const [key, sh] of firstOfShape) {
      const boxes = sh.slots.map((s) => {
        const n = dg.node(s.id) as { x: number; y: number; width: number; height: number }
        return { x: n.x - n.width / 2, y: n.y - n.height / 2, width: n.width, height: n.height }
      })
      const edges = sh.edges.map((e) => {
        const label = dg.edge(sh.slots[e.from]!.id, sh.slots[e.to]!.id) as { points?: Point[] } | undefined
        return (label?.points ?? []).map((p) => ({ x: p.x, y: p.y }))
      })
      placedSlots.set(key, { boxes, edges })
    }
  }

  const placed: GraphLayout[] = []
  for (const { shape } of shapes) {
    const at = placedSlots.get(shape.key)!
    const out: GraphLayout = { width: 0, height: 0, boxes: new Map(), edges: new Map(), blocks: [] }
    shape.slots.forEach((s, i) => {
      const box = at.boxes[i]!
      const plan = planById.get(s.id)
      if (!plan) {
        out.boxes.set(s.id, box)
        return
      }
      out.blocks.push({ id: plan.id, owner: plan.owner, dir: plan.dir, box, count: plan.members.length })
      plan.members.forEach((id, k) => {
        const m = sizes.get(id)!
        out.boxes.set(id, { x: box.x + GRID_PAD + (k % plan.cols) * (m.width + NODE_SEP), y: box.y + GRID_PAD + Math.floor(k / plan.cols) * (m.height + NODE_SEP), ...m })
      })
    })
    shape.edges.forEach((e, i) => out.edges.set(e.id, at.edges[i]!))
    placed.push(normalise(out))
  }
  if (singles.length > 0) placed.push(gridOf(singles.map((id) => [id, sizes.get(id)!])))
  return pack(placed)
}

/** Space between a block's frame and its tasks, px. */
const GRID_PAD = 8

interface BlockPlan {
  id: string
  owner: string
  dir: 'out' | 'in'
  members: string[]
  width: number
  height: number
  cols: number
}

/**
 * A part as dagre input: its nodes (a block's members replaced by the block), its edges (those of
 * a block's members by one edge to or from the block) and the order pairs that keep a waiter's
 * children left to right in the order it lists them (gather's argument order, as the table lists
 * them; dagre's tie-break would otherwise flip them).
 */
function shapeOf(p: Part, sizes: Map<string, { width: number; height: number }>, blockOf: Map<string, BlockPlan>, byOwner: Map<string, BlockPlan[]>): Shape {
  const slots: Slot[] = []
  const index = new Map<string, number>()
  const add = (id: string, size: { width: number; height: number }) => {
    index.set(id, slots.length)
    slots.push({ id, width: size.width, height: size.height })
  }
  for (const id of p.nodes) {
    if (blockOf.has(id)) continue
    add(id, sizes.get(id)!)
    for (const b of byOwner.get(id) ?? []) add(b.id, b)
  }
  const edges: Shape['edges'] = []
  for (const b of p.nodes.flatMap((id) => byOwner.get(id) ?? [])) {
    if (b.dir === 'out') edges.push({ id: `${b.owner}>${b.id}`, from: index.get(b.owner)!, to: index.get(b.id)! })
    else edges.push({ id: `${b.id}>${b.owner}`, from: index.get(b.id)!, to: index.get(b.owner)! })
  }
  const order: [number, number][] = []
  let prev: { from: string; to: string } | null = null
  for (const e of p.edges) {
    if (blockOf.has(e.to) || blockOf.has(e.from)) continue
    edges.push({ id: e.id, from: index.get(e.from)!, to: index.get(e.to)! })
    if (prev && prev.from === e.from) order.push([index.get(prev.to)!, index.get(e.to)!])
    prev = e
  }
  const key = JSON.stringify([slots.map((s) => [s.width, s.height]), edges.map((e) => [e.from, e.to]), order])
  return { slots, edges, order, key }
}

/**
 * The blocks worth making: a node's leaf children (awaited by it alone, awaiting nothing) when it
 * has more than FANOUT_WRAP of them, and a node's lone waiters (awaited by nothing, awaiting it
 * alone) when it has more than FANOUT_WRAP of those.
 */
function findBlocks(g: AwaitGraph): BlockPlan[] {
  const indeg = new Map<string, number>()
  const outdeg = new Map<string, number>()
  for (const e of g.edges) {
    indeg.set(e.to, (indeg.get(e.to) ?? 0) + 1)
    outdeg.set(e.from, (outdeg.get(e.from) ?? 0) + 1)
  }
  const leavesOf = new Map<string, string[]>()
  const waitersOf = new Map<string, string[]>()
  const push = (m: Map<string, string[]>, k: string, v: string) => {
    const list = m.get(k)
    if (list) list.push(v)
    else m.set(k, [v])
  }
  for (const e of g.edges) {
    if (indeg.get(e.to) === 1 && !outdeg.has(e.to)) push(leavesOf, e.from, e.to)
    else if (outdeg.get(e.from) === 1 && !indeg.has(e.from)) push(waitersOf, e.to, e.from)
  }
  const sizes = new Map(g.nodes.map((n) => [n.id, NODE_SIZE[n.kind]]))
  const out: BlockPlan[] = []
  for (const [dir, m] of [['out', leavesOf], ['in', waitersOf]] as const) {
    for (const [owner, members] of m) {
      if (members.length <= FANOUT_WRAP) continue
      out.push({ id: `${dir === 'out' ? 'grid' : 'gridin'}:${owner}`, owner, dir, members, ...gridSize(members.map((id) => sizes.get(id)!)) })
    }
  }
  return out
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
