// The details panel's actions on the selected task: cancel with a reason, and a deadline that can
// be set, extended or cleared. The task itself is read live from the store.
import { historyLength } from '../../../shared/snapshots'
import type { AwaitSnapshot, OpenSegment, StepTiming, TaskSnapshot } from '../../../shared/snapshots'
import type { LoopwatchApi } from '../../../shared/contract'
import type { TaskStore } from './task-store.svelte'

/** What the "extend by" field starts at, in seconds. */
export const DEFAULT_EXTEND_SECONDS = 5

/**
 * A connected task's timing is asked of its process (one `task:timing` command each time): at most
 * once per TIMING_MIN_GAP_MS, and then only when the deltas moved the task since the last ask, or
 * TIMING_STALE_MS passed (a wait's idle time grows unseen; an agent may not report every step).
 */
export const TIMING_MIN_GAP_MS = 1_000
export const TIMING_STALE_MS = 5_000

/** What the store knew of a task when its timing was last asked: if none of it moved, neither did the timing. */
interface TaskMark {
  snapshot: TaskSnapshot | undefined
  segments: number
  open: OpenSegment | null | undefined
}

/** Why a seconds field cannot be used ('' empty, not a number, negative), or null when it can. */
function secondsError(value: string | number, example: number): string | null {
  const n = Number(value)
  if (String(value).trim() === '' || !Number.isFinite(n)) return `enter seconds, e.g. ${example}`
  if (n < 0) return 'must not be negative'
  return null
}

export class DetailsState {
  reason = $state('')
  /** Bound to a number input: a number once edited, so read it through `String()`. */
  deadlineSeconds = $state<string | number>('5')
  /** How far "Extend" pushes a running deadline, in seconds (a number input, as deadlineSeconds). */
  extendSeconds = $state<string | number>(String(DEFAULT_EXTEND_SECONDS))
  error = $state<string | null>(null)
  busy = $state(false)
  /** The step timing task:get last gave, and for which task (issue 11 §1). */
  timing = $state.raw<StepTiming | null>(null)
  timingOf = $state<number | null>(null)

  readonly deadlineError = $derived(secondsError(this.deadlineSeconds, 5))
  readonly extendError = $derived(secondsError(this.extendSeconds, DEFAULT_EXTEND_SECONDS))

  /** The last task:get asked (for which task, when, what the store showed of it), and whether it is out. */
  private asked: { taskId: number; at: number; mark: TaskMark; pending: boolean } | null = null

  /** `now`: a monotonic ms clock (tests pass a virtual one). */
  constructor(
    private readonly api: () => LoopwatchApi | null,
    private readonly store: TaskStore,
    private readonly now: () => number = () => performance.now(),
  ) {}

  /** Load what the stream may have missed (logs printed before this window connected). */
  async load(taskId: number): Promise<void> {
    this.error = null
    const api = this.api()
    if (!api) return
    const res = await this.ask(api, taskId)
    if (res.ok) {
      this.store.mergeTaskLogs(taskId, res.value.logs)
      this.setTiming(taskId, res.value.timing ?? null)
    }
  }

  /**
   * Re-reads the task's step timing (the details poll it while the task lives). An app task's is
   * read every time (in-process, it costs no command); a connected process's only when it could
   * have changed (see TIMING_MIN_GAP_MS).
   */
  async loadTiming(taskId: number): Promise<void> {
    const api = this.api()
    if (!api || !this.shouldAsk(taskId)) return
    const res = await this.ask(api, taskId)
    if (res.ok) this.setTiming(taskId, res.value.timing ?? null)
  }

  private shouldAsk(taskId: number): boolean {
    const last = this.asked
    if (this.store.tasks.get(taskId)?.localId === undefined || last === null || last.taskId !== taskId) return true
    if (last.pending) return false
    const since = this.now() - last.at
    if (since < TIMING_MIN_GAP_MS) return false
    return since >= TIMING_STALE_MS || !sameMark(last.mark, this.markOf(taskId))
  }

  private async ask(api: LoopwatchApi, taskId: number) {
    const asked = { taskId, at: this.now(), mark: this.markOf(taskId), pending: true }
    this.asked = asked
    try {
      return await api.invoke('task:get', { taskId })
    } finally {
      asked.pending = false
    }
  }

  private markOf(taskId: number): TaskMark {
    const h = this.store.histories.get(taskId)
    return { snapshot: this.store.tasks.get(taskId), segments: h ? historyLength(h) : 0, open: h?.open }
  }

  private setTiming(taskId: number, timing: StepTiming | null): void {
    this.timing = timing
    this.timingOf = taskId
  }

  async cancel(task: TaskSnapshot): Promise<boolean> {
    const reason = this.reason.trim()
    const ok = await this.call(() => this.api()?.invoke('task:cancel', { taskId: task.id, reason: reason === '' ? null : reason }))
    if (ok) this.reason = ''
    return ok
  }

  async setDeadline(task: TaskSnapshot): Promise<boolean> {
    if (this.deadlineError) return false
    const inMs = Math.round(Number(this.deadlineSeconds) * 1000)
    return this.call(() => this.api()?.invoke('task:setDeadline', { taskId: task.id, inMs }))
  }

  /** Push the deadline `extendSeconds` further than it is now (`remainingMs` on the task's clock). */
  async extend(task: TaskSnapshot, remainingMs: number): Promise<boolean> {
    if (this.extendError) return false
    const inMs = Math.max(0, Math.round(remainingMs)) + Math.round(Number(this.extendSeconds) * 1000)
    return this.call(() => this.api()?.invoke('task:setDeadline', { taskId: task.id, inMs }))
  }

  async clearDeadline(task: TaskSnapshot): Promise<boolean> {
    return this.call(() => this.api()?.invoke('task:setDeadline', { taskId: task.id, inMs: null }))
  }

  private async call(
    fn: () => Promise<{ ok: true; value: TaskSnapshot } | { ok: false; error: { message: string } }> | undefined,
  ): Promise<boolean> {
    this.busy = true
    this.error = null
    try {
      const res = await fn()
      if (!res) return false
      if (!res.ok) {
        this.error = res.error.message
        return false
      }
      return true
    } finally {
      this.busy = false
    }
  }
}

function sameMark(a: TaskMark, b: TaskMark): boolean {
  return a.snapshot === b.snapshot && a.segments === b.segments && a.open === b.open
}

/**
 * The await chain downwards from a task, read from live snapshots: what it awaits, what that
 * awaits, … ending at a non-task await or a cycle.
 */
export function awaitChain(start: TaskSnapshot, get: (id: number) => TaskSnapshot | undefined): AwaitSnapshot[] {
  const chain: AwaitSnapshot[] = []
  const seen = new Set<number>([start.id])
  let cur: TaskSnapshot | undefined = start
  while (cur?.awaiting) {
    chain.push(cur.awaiting)
    const next: number | null = cur.awaiting.taskId
    if (next == null || seen.has(next)) break
    seen.add(next)
    cur = get(next)
  }
  return chain
}
