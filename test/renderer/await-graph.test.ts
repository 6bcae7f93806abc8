import { afterEach, describe, expect, it, vi } from 'vitest'
import { buildAwaitGraph, taskKey } from '../../src/shared/await-graph'
import type { AwaitSnapshot, TaskSnapshot } from '../../src/shared/snapshots'
import { FANOUT_WRAP, layoutAwaitGraph, type NodeBox } from '../../src/renderer/src/state/await-graph-layout'
import { AwaitGraphState, layoutSpacing } from '../../src/renderer/src/state/await-graph.svelte'
import { TaskStore } from '../../src/renderer/src/state/task-store.svelte'
import { TaskTableState } from '../../src/renderer/src/state/task-table.svelte'
import type { TableHost } from '../../src/renderer/src/state/task-table.svelte'
import { delta, task } from './helpers'

const gatherOf = (ids: number[]): AwaitSnapshot => ({ kind: 'future', text: `gather of ${ids.length}`, taskId: null, waitsOn: ids })
const sleeping: AwaitSnapshot = { kind: 'sleep', text: 'sleep until 1.000s', taskId: null }

function overlap(a: NodeBox, b: NodeBox): boolean {
  return a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height
}

/** The first two boxes that overlap, or null. */
function firstOverlap(boxes: readonly NodeBox[]): [NodeBox, NodeBox] | null {
  for (let i = 0; i < boxes.length; i++) for (let j = i + 1; j < boxes.length; j++) if (overlap(boxes[i]!, boxes[j]!)) return [boxes[i]!, boxes[j]!]
  return null
}

function gatherRun(n: number, loop = 'run-1'): { main: TaskSnapshot; kids: TaskSnapshot[] } {
  const kids = Array.from({ length: n }, (_, i) => task({ name: `kid-${i}`, state: 'waiting', awaiting: sleeping, loop }))
  const main = task({ name: 'main', state: 'waiting', awaiting: gatherOf(kids.map((k) => k.id)), loop })
  return { main, kids }
}

describe('layoutAwaitGraph', () => {
  it('lays a gather out top-down: waiter above the gather node above its children, no boxes overlapping', () => {
    const { main, kids } = gatherRun(5)
    const g = buildAwaitGraph([main, ...kids])
    const l = layoutAwaitGraph(g)
    expect([...l.boxes.keys()].sort()).toEqual(g.nodes.map((n) => n.id).sort())
    const top = l.boxes.get(`t:${main.id}`)!
    const mid = l.boxes.get(`w:${main.id}`)!
    for (const k of kids) {
      const b = l.boxes.get(`t:${k.id}`)!
      expect(b.y).toBeGreaterThan(mid.y + mid.height)
    }
    expect(mid.y).toBeGreaterThan(top.y + top.height)
    // Children left to right in the gather's order (the table's order too).
    const xs = kids.map((k) => l.boxes.get(`t:${k.id}`)!.x)
    expect(xs).toEqual([...xs].sort((a, b) => a - b))
    // The combinator is drawn smaller than a task.
    expect(mid.width * mid.height).toBeLessThan(top.width * top.height)
    const boxes = [...l.boxes.values()]
    expect(firstOverlap(boxes)).toBeNull()
    for (const e of g.edges) expect(l.edges.get(e.id)!.length).toBeGreaterThanOrEqual(2)
  })

  it('packs hundreds of unrelated tasks into a block, not one row 50,000 px wide', () => {
    const tasks = Array.from({ length: 300 }, (_, i) => task({ name: `t${i}`, state: 'running' }))
    const l = layoutAwaitGraph(buildAwaitGraph(tasks))
    expect(l.boxes.size).toBe(300)
    expect(l.width).toBeLessThan(6 * l.height)
    expect(l.width).toBeLessThan(8_000)
    const boxes = [...l.boxes.values()]
    expect(firstOverlap(boxes)).toBeNull()
  })

  it('wraps a wide gather into a block of rows under its gather node instead of one endless rank', () => {
    const { main, kids } = gatherRun(200)
    const g = buildAwaitGraph([main, ...kids])
    const l = layoutAwaitGraph(g)
    expect(l.blocks).toHaveLength(1)
    const block = l.blocks[0]!
    expect(block).toMatchObject({ owner: `w:${main.id}`, dir: 'out', count: 200 })
    const gatherBox = l.boxes.get(`w:${main.id}`)!
    expect(block.box.y).toBeGreaterThan(gatherBox.y + gatherBox.height)
    // Every child is inside the block, in rows of at least FANOUT_WRAP, none overlapping.
    const kidBoxes = kids.map((k) => l.boxes.get(`t:${k.id}`)!)
    for (const b of kidBoxes) {
      expect(b.x).toBeGreaterThanOrEqual(block.box.x)
      expect(b.y).toBeGreaterThanOrEqual(block.box.y)
      expect(b.x + b.width).toBeLessThanOrEqual(block.box.x + block.box.width + 0.5)
      expect(b.y + b.height).toBeLessThanOrEqual(block.box.y + block.box.height + 0.5)
    }
    expect(new Set(kidBoxes.map((b) => b.y)).size).toBeGreaterThan(1)
    expect(kidBoxes.filter((b) => b.y === kidBoxes[0]!.y).length).toBeGreaterThanOrEqual(FANOUT_WRAP)
    expect(firstOverlap(kidBoxes)).toBeNull()
    // One line from the gather to the block stands for the 200 edges.
    expect(l.edges.get(`w:${main.id}>grid:w:${main.id}`)!.length).toBeGreaterThanOrEqual(2)
    expect(l.edges.size).toBe(2)
    expect(l.width).toBeLessThan(6_000)
  })

  it('keeps a child that waits on something itself out of the block, laid out by dagre below its waiter', () => {
    const { main, kids } = gatherRun(20)
    const deep = task({ name: 'deep', state: 'running' })
    kids[4] = { ...kids[4]!, awaiting: { kind: 'task', text: 'task deep', taskId: deep.id } }
    const l = layoutAwaitGraph(buildAwaitGraph([main, ...kids, deep]))
    const block = l.blocks[0]!
    expect(block.count).toBe(19)
    const k4 = l.boxes.get(`t:${kids[4]!.id}`)!
    expect(k4.y + k4.height <= block.box.y || k4.x >= block.box.x + block.box.width || k4.x + k4.width <= block.box.x).toBe(true)
    expect(l.boxes.get(`t:${deep.id}`)!.y).toBeGreaterThan(k4.y + k4.height)
  })

  it('gathers the lone waiters of one lock into a block above it, one line from the block to the lock', () => {
    const waiters = Array.from({ length: 30 }, (_, i) => task({ name: `w${i}`, state: 'waiting', awaiting: { kind: 'future', text: 'acquire Lock-1', taskId: null } }))
    const g = buildAwaitGraph(waiters)
    const l = layoutAwaitGraph(g)
    expect(l.blocks).toHaveLength(1)
    const block = l.blocks[0]!
    expect(block).toMatchObject({ owner: 'r:run-1/Lock-1', dir: 'in', count: 30 })
    const lock = l.boxes.get('r:run-1/Lock-1')!
    expect(block.box.y + block.box.height).toBeLessThan(lock.y)
    for (const w of waiters) {
      const b = l.boxes.get(`t:${w.id}`)!
      expect(b.y).toBeGreaterThanOrEqual(block.box.y)
      expect(b.y + b.height).toBeLessThanOrEqual(block.box.y + block.box.height + 0.5)
    }
    expect([...l.edges.keys()]).toEqual([`${block.id}>r:run-1/Lock-1`])
  })

  it('lays identical parts out identically (one dagre layout serves every part of a shape)', () => {
    const chains = Array.from({ length: 3 }, () => {
      const leaf = task({ name: 'leaf', state: 'waiting', awaiting: sleeping })
      const mid = task({ name: 'mid', state: 'waiting', awaiting: { kind: 'task', text: 't', taskId: leaf.id } })
      const top = task({ name: 'top', state: 'waiting', awaiting: { kind: 'task', text: 't', taskId: mid.id } })
      return [leaf, mid, top]
    })
    const l = layoutAwaitGraph(buildAwaitGraph(chains.flat()))
    const rel = (c: TaskSnapshot[]) => {
      const [leaf, mid, top] = c.map((t) => l.boxes.get(`t:${t.id}`)!)
      return [mid!.x - top!.x, mid!.y - top!.y, leaf!.x - top!.x, leaf!.y - top!.y]
    }
    expect(rel(chains[1]!)).toEqual(rel(chains[0]!))
    expect(rel(chains[2]!)).toEqual(rel(chains[0]!))
    const tops = chains.map((c) => l.boxes.get(`t:${c[2]!.id}`)!)
    expect(new Set(tops.map((b) => `${b.x},${b.y}`)).size).toBe(3)
  })

  it('places separate parts side by side without overlap', () => {
    const a = gatherRun(3)
    const b = gatherRun(4)
    const l = layoutAwaitGraph(buildAwaitGraph([a.main, ...a.kids, b.main, ...b.kids]))
    const boxes = [...l.boxes.values()]
    expect(firstOverlap(boxes)).toBeNull()
    for (const box of boxes) {
      expect(box.x + box.width).toBeLessThanOrEqual(l.width + 0.5)
      expect(box.y + box.height).toBeLessThanOrEqual(l.height + 0.5)
    }
  })
})

function setup(flagged: ReadonlySet<string> = new Set(), spacing = () => 0) {
  const store = new TaskStore()
  const table = new TaskTableState(store)
  const graph = new AwaitGraphState(table, () => flagged, 1_000, spacing)
  return { store, table, graph }
}

describe('AwaitGraphState', () => {
  it('lays out again when the shape changes, not when only states change', () => {
    const { store, graph } = setup()
    const { main, kids } = gatherRun(3)
    store.apply(delta(1, { created: [main, ...kids] }))
    const first = graph.layout
    expect(graph.layoutCount).toBe(1)
    expect(first.boxes.size).toBe(5)

    // A child wakes up and runs: a colour changes, nothing moves.
    store.apply(delta(2, { changed: [{ ...kids[0]!, state: 'running', awaiting: null }] }))
    expect(graph.graph.nodes.find((n) => n.taskId === kids[0]!.id)?.state).toBe('running')
    expect(graph.layout).toBe(first)
    expect(graph.layoutCount).toBe(1)

    // A new task joins the scope: the shape changed, one new layout.
    store.apply(delta(3, { created: [task({ name: 'late', state: 'running' })] }))
    expect(graph.layout.boxes.size).toBe(6)
    expect(graph.layoutCount).toBe(2)
  })

  afterEach(() => {
    vi.useRealTimers()
  })

  it('spaces slow layouts out: a shape change within the spacing keeps the old boxes until the timer fires', () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'performance'] })
    const { store, graph } = setup(new Set(), () => 1_000)
    const { main, kids } = gatherRun(2)
    store.apply(delta(1, { created: [main, ...kids] }))
    const first = graph.layout
    store.apply(delta(2, { created: [task({ name: 'late', state: 'running' })] }))
    expect(graph.graph.nodes).toHaveLength(5)
    expect(graph.layout).toBe(first)
    expect(graph.layoutCount).toBe(1)
    vi.advanceTimersByTime(1_000)
    expect(graph.layout.boxes.size).toBe(5)
    expect(graph.layoutCount).toBe(2)
  })

  it('lays out slow graphs at most every four times their cost, quick ones at once', () => {
    expect(layoutSpacing(5)).toBe(0)
    expect(layoutSpacing(100)).toBe(400)
  })

  it('shows the table’s scope only', () => {
    const { store, table, graph } = setup()
    const one = gatherRun(2, 'run-1')
    const two = gatherRun(3, 'run-2')
    store.apply(delta(1, { created: [one.main, ...one.kids, two.main, ...two.kids] }))
    table.scope = 'run-2'
    expect(graph.graph.nodes.filter((n) => n.kind === 'task').map((n) => n.taskId).sort()).toEqual(
      [two.main.id, ...two.kids.map((k) => k.id)].sort(),
    )
  })

  it('shares the selection with the table: a node click selects its task, the table’s selection is the highlighted node', () => {
    const { store, table, graph } = setup()
    const { main, kids } = gatherRun(2)
    store.apply(delta(1, { created: [main, ...kids] }))
    const selected: (number | null)[] = []
    const host: TableHost = { detailsOpen: false, select: (id) => { selected.push(id); table.selectedId = id } }
    const kid = graph.graph.nodes.find((n) => n.taskId === kids[1]!.id)!
    graph.click(host, kid)
    expect(selected).toEqual([kids[1]!.id])
    expect(graph.selectedNodeId).toBe(kid.id)
    // A combinator node is not a task: clicking it selects nothing.
    graph.click(host, graph.graph.nodes.find((n) => n.kind === 'gather')!)
    expect(selected).toEqual([kids[1]!.id])
    table.selectedId = main.id
    expect(graph.selectedNodeId).toBe(`t:${main.id}`)
  })

  it('centres the view on a node and fits the whole graph', () => {
    const { store, graph } = setup()
    const { main, kids } = gatherRun(4)
    store.apply(delta(1, { created: [main, ...kids] }))
    graph.viewport = { width: 800, height: 240 }
    const id = `t:${kids[3]!.id}`
    expect(graph.centreOn(id)).toBe(true)
    const b = graph.layout.boxes.get(id)!
    const { x, y, k } = graph.transform
    expect((b.x + b.width / 2) * k + x).toBeCloseTo(400)
    expect((b.y + b.height / 2) * k + y).toBeCloseTo(120)
    expect(graph.centreOn('t:999999')).toBe(false)

    graph.fit()
    const f = graph.transform
    expect(graph.layout.width * f.k).toBeLessThanOrEqual(800)
    expect(graph.layout.height * f.k).toBeLessThanOrEqual(240)
    expect(f.x).toBeGreaterThanOrEqual(0)
  })

  it('reveals the selected node: centred when out of view, left alone when already in view', () => {
    const { store, graph } = setup()
    const { main, kids } = gatherRun(4)
    store.apply(delta(1, { created: [main, ...kids] }))
    graph.viewport = { width: 800, height: 240 }
    graph.transform = { x: -5_000, y: 0, k: 1 }
    const id = `t:${kids[0]!.id}`
    expect(graph.reveal(id)).toBe(true)
    const b = graph.layout.boxes.get(id)!
    expect((b.x + b.width / 2) * graph.transform.k + graph.transform.x).toBeCloseTo(400)
    const now = { ...graph.transform }
    graph.transform = { ...now, x: now.x + 20 }
    expect(graph.reveal(id)).toBe(true)
    expect(graph.transform.x).toBe(now.x + 20)
  })

  it('zooms around the pointer, within the limits', () => {
    const { graph } = setup()
    graph.transform = { x: 10, y: 20, k: 1 }
    graph.zoomAt(110, 70, 2)
    // The graph point that was under (110, 70), (100, 50), is still there.
    expect(100 * graph.transform.k + graph.transform.x).toBeCloseTo(110)
    expect(50 * graph.transform.k + graph.transform.y).toBeCloseTo(70)
    for (let i = 0; i < 20; i++) graph.zoomAt(0, 0, 2)
    expect(graph.transform.k).toBe(3)
  })

  it('flags the tasks whose keys the deadlock set holds', () => {
    const a = task({ name: 'a', state: 'waiting' })
    const b = task({ name: 'b', state: 'waiting', awaiting: { kind: 'task', text: 'task a', taskId: a.id } })
    a.awaiting = { kind: 'task', text: 'task b', taskId: b.id }
    const c = task({ name: 'c', state: 'running' })
    const { store, graph } = setup(new Set([taskKey(a.id), taskKey(b.id)]))
    store.apply(delta(1, { created: [a, b, c] }))
    const flagged = graph.graph.nodes.filter((n) => graph.isFlagged(n)).map((n) => n.label).sort()
    expect(flagged).toEqual(['a', 'b'])
  })
})
