// The await graph view's state: the graph of the table's scope, its layout (recomputed only when
// the graph's shape changes: a delta that only moves states repaints colours, it does not move
// boxes), the pan/zoom transform, and the selection it shares with the table.
import { buildAwaitGraph, DEFAULT_MAX_NODES, taskKey, taskNodeId } from '../../../shared/await-graph'
import type { AwaitGraph, GraphNode } from '../../../shared/await-graph'
import type { TaskSnapshot } from '../../../shared/snapshots'
import { layoutAwaitGraph, type GraphLayout } from './await-graph-layout'
import type { TableHost } from './task-table.svelte'

/** Pan and zoom: graph px → screen px is `screen = graph * k + (x, y)`. */
export interface ViewTransform {
  x: number
  y: number
  k: number
}

/** Zoom limits: far enough out to see 1,000 nodes as a shape, close enough to read a name. */
export const MIN_ZOOM = 0.05
export const MAX_ZOOM = 3

const NO_FLAGS: ReadonlySet<string> = new Set()

/**
 * How long after a layout the next may run, ms: at once after a quick one; after a slow one four
 * times its cost, so layouts take at most a fifth of the main thread.
 */
export function layoutSpacing(lastLayoutMs: number): number {
  return lastLayoutMs < 30 ? 0 : 4 * lastLayoutMs
}

/** What the graph reads of the table: the scope's tasks and the one selection both show. */
export interface GraphSource {
  readonly scoped: readonly TaskSnapshot[]
  readonly selectedId: number | null
}

export class AwaitGraphState {
  transform = $state<ViewTransform>({ x: 0, y: 0, k: 1 })
  /** The viewport's size in px, set by the component. */
  viewport = $state({ width: 0, height: 0 })
  /** Layouts computed so far, and how long the last took (ms): a structure change costs one, a state change none. */
  layoutCount = 0
  lastLayoutMs = 0

  /** The graph of what the table's scope holds, rebuilt per delta (linear; cheap next to the table's sort). */
  readonly graph: AwaitGraph = $derived.by(() => buildAwaitGraph(this.source.scoped, { maxNodes: this.maxNodes }))
  // The last layout, the shape it is of and when it was made: kept by hand rather than by a
  // $derived's equality, so it holds however the graph is read (in an effect or not).
  private laidOut: { key: string; layout: GraphLayout; at: number } | null = null
  /** Bumped by the timer a deferred layout sets, so `layout` is read again then. */
  private due = $state(0)
  private timer: ReturnType<typeof setTimeout> | null = null

  /**
   * Boxes and edge lines: only a change of the graph's `structureKey` re-runs the layout, and a
   * slow one (a big graph whose shape changes every delta) waits `spacing(lastLayoutMs)` after the
   * previous, so laying out never takes most of the main thread; meanwhile the old boxes stay (new
   * nodes appear with the next layout).
   */
  readonly layout: GraphLayout = $derived.by(() => {
    void this.due
    const g = this.graph
    const prev = this.laidOut
    if (prev?.key === g.structureKey) return prev.layout
    const wait = prev ? prev.at + this.spacing(this.lastLayoutMs) - performance.now() : 0
    if (prev && wait > 0) {
      this.timer ??= setTimeout(() => {
        this.timer = null
        this.due++
      }, wait)
      return prev.layout
    }
    const t0 = performance.now()
    const layout = layoutAwaitGraph(g)
    const t1 = performance.now()
    this.layoutCount++
    this.lastLayoutMs = t1 - t0
    this.laidOut = { key: g.structureKey, layout, at: t1 }
    return layout
  })

  /** The selected task's node id, when the graph shows it. */
  readonly selectedNodeId = $derived.by(() => {
    const id = this.source.selectedId
    return id == null ? null : taskNodeId(id)
  })

  /**
   * `flagged`: task keys (taskKey) to paint red, e.g. the deadlock detector's stuck tasks; a cycle in
   * the graph is shown by these flags, the graph does not look for one itself.
   */
  constructor(
    private readonly source: GraphSource,
    private readonly flaggedOf: () => ReadonlySet<string> = () => NO_FLAGS,
    private readonly maxNodes: number = DEFAULT_MAX_NODES,
    private readonly spacing: (lastLayoutMs: number) => number = layoutSpacing,
  ) {}

  /** The flagged task keys, read once per change of the set (not once per node). */
  readonly flagged: ReadonlySet<string> = $derived.by(() => this.flaggedOf())

  /** Whether a node is a flagged task's. */
  isFlagged(n: GraphNode): boolean {
    return n.taskId != null && this.flagged.has(taskKey(n.taskId))
  }

  /** A click on a node: a task's node selects the task (opening its details, as a table click does). */
  click(host: TableHost, n: GraphNode): void {
    if (n.taskId != null) host.select(n.taskId)
  }

  /** Zoom by `factor` keeping the graph point under screen (`sx`, `sy`) in place. */
  zoomAt(sx: number, sy: number, factor: number): void {
    const { x, y, k } = this.transform
    const k2 = Math.min(MAX_ZOOM, Math.max(MIN_ZOOM, k * factor))
    const f = k2 / k
    this.transform = { k: k2, x: sx - (sx - x) * f, y: sy - (sy - y) * f }
  }

  panBy(dx: number, dy: number): void {
    this.transform = { ...this.transform, x: this.transform.x + dx, y: this.transform.y + dy }
  }

  /** Shows the whole graph (never zoomed in past 1:1, so a small graph stays readable size). */
  fit(): void {
    const { width, height } = this.viewport
    const l = this.layout
    if (width <= 0 || height <= 0 || l.width <= 0) return
    const pad = 16
    const k = Math.max(MIN_ZOOM, Math.min(1, (width - 2 * pad) / l.width, (height - 2 * pad) / l.height))
    this.transform = { k, x: (width - l.width * k) / 2, y: Math.max(pad, (height - l.height * k) / 2) }
  }

  /** Centres the view on a node at the current zoom (or at least 0.6, so its name can be read); false if it is not shown. */
  centreOn(nodeId: string): boolean {
    const b = this.layout.boxes.get(nodeId)
    if (!b) return false
    const k = Math.max(this.transform.k, 0.6)
    const { width, height } = this.viewport
    this.transform = { k, x: width / 2 - (b.x + b.width / 2) * k, y: height / 2 - (b.y + b.height / 2) * k }
    return true
  }

  /** Centres on a node unless it is already wholly in view (a click in the graph does not jump); false if it is not shown. */
  reveal(nodeId: string): boolean {
    const b = this.layout.boxes.get(nodeId)
    if (!b) return false
    const { x, y, k } = this.transform
    const { width, height } = this.viewport
    const inView = b.x * k + x >= 0 && b.y * k + y >= 0 && (b.x + b.width) * k + x <= width && (b.y + b.height) * k + y <= height
    return inView || this.centreOn(nodeId)
  }
}
