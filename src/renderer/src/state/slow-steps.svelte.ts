// The Slow steps view's state (issue 11 §1): every step that held a loop past the threshold, as
// the app's monitor recorded them (steps:slow at connect, then tasks:delta), sortable; the
// threshold the window sets (steps:setThreshold, per app).
import type { LoopwatchApi } from '../../../shared/contract'
import { SLOW_STEP_DEFAULT_MS, SLOW_STEP_MAX_MS, SLOW_STEP_MIN_MS } from '../../../shared/snapshots'
import type { SlowStep, StatsSample } from '../../../shared/snapshots'

/** Records the window keeps (the newest; the app keeps 500 per loop). */
export const MAX_SLOW_STEPS_SHOWN = 2_000

export const SLOW_SORT_KEYS = ['durationMs', 'wall', 'taskName'] as const
export type SlowSortKey = (typeof SLOW_SORT_KEYS)[number]

/** One record's key: seq is per process, so a connected process's records are told apart by their loop. */
export function slowKey(s: SlowStep): string {
  return `${s.loop}#${s.seq}`
}

/** The records sorted by `key` (`desc`: largest / newest first; names A→Z when not desc). */
export function sortSlowSteps(list: readonly SlowStep[], key: SlowSortKey, desc: boolean): SlowStep[] {
  const value = (s: SlowStep): number | string => (key === 'wall' ? s.at.wall : key === 'durationMs' ? s.durationMs : s.taskName)
  const out = [...list]
  out.sort((a, b) => {
    const x = value(a)
    const y = value(b)
    const c = typeof x === 'string' ? x.localeCompare(y as string) : x - (y as number)
    return (desc ? -c : c) || a.seq - b.seq
  })
  return out
}

/**
 * The slow step behind a loop-delay sample: the longest one that ended within the sample's
 * interval (after the previous sample, up to this one, wall ms), or null. Every loop of the app
 * shares one Node thread, so a step that blocked any of them delayed the stats daemon's loop too.
 */
export function slowStepForSample(steps: readonly SlowStep[], samples: readonly StatsSample[], index: number): SlowStep | null {
  const sample = samples[index]
  if (!sample) return null
  const from = index > 0 ? samples[index - 1]!.wall : sample.wall - 1_000
  let best: SlowStep | null = null
  for (const s of steps) {
    if (s.at.wall > from && s.at.wall <= sample.wall && (!best || s.durationMs > best.durationMs)) best = s
  }
  return best
}

/** Why a threshold field cannot be used, or null. */
export function thresholdError(value: string | number): string | null {
  const n = Number(value)
  if (String(value).trim() === '' || !Number.isFinite(n)) return 'enter milliseconds, e.g. 20'
  if (n < SLOW_STEP_MIN_MS || n > SLOW_STEP_MAX_MS) return `from ${SLOW_STEP_MIN_MS} to ${SLOW_STEP_MAX_MS} ms`
  return null
}

export class SlowStepsState {
  steps = $state.raw<SlowStep[]>([])
  thresholdMs = $state(SLOW_STEP_DEFAULT_MS)
  /** The threshold field (a number input: a number once edited). */
  thresholdInput = $state<string | number>(String(SLOW_STEP_DEFAULT_MS))
  sortKey = $state<SlowSortKey>('wall')
  desc = $state(true)
  error = $state<string | null>(null)
  /** The record the window points at (clicked in the list or a chart). */
  selectedKey = $state<string | null>(null)

  readonly sorted = $derived(sortSlowSteps(this.steps, this.sortKey, this.desc))
  readonly inputError = $derived(thresholdError(this.thresholdInput))
  /** Slow-step end times by task id (the timeline's marks). */
  readonly byTask = $derived.by(() => {
    const m = new Map<number, SlowStep[]>()
    for (const s of this.steps) {
      const list = m.get(s.taskId)
      if (list) list.push(s)
      else m.set(s.taskId, [s])
    }
    return m
  })

  constructor(private readonly api: () => LoopwatchApi | null) {}

  /** Everything the app still keeps (at connect): replaces what the window had. */
  async load(): Promise<void> {
    const res = await this.api()?.invoke('steps:slow')
    if (!res) return
    if (!res.ok) {
      this.error = res.error.message
      return
    }
    this.thresholdMs = res.value.thresholdMs
    this.thresholdInput = String(res.value.thresholdMs)
    this.steps = []
    this.add(res.value.steps)
  }

  /** New records (from a delta); ones already shown are skipped, the oldest go past MAX_SLOW_STEPS_SHOWN. */
  add(list: readonly SlowStep[]): void {
    if (list.length === 0) return
    const seen = new Set(this.steps.map(slowKey))
    const fresh = list.filter((s) => !seen.has(slowKey(s)))
    if (fresh.length === 0) return
    const all = [...this.steps, ...fresh]
    this.steps = all.length > MAX_SLOW_STEPS_SHOWN ? all.slice(all.length - MAX_SLOW_STEPS_SHOWN) : all
  }

  sortBy(key: SlowSortKey): void {
    if (this.sortKey === key) this.desc = !this.desc
    else {
      this.sortKey = key
      this.desc = key !== 'taskName'
    }
  }

  async setThreshold(): Promise<boolean> {
    if (this.inputError) return false
    const res = await this.api()?.invoke('steps:setThreshold', { thresholdMs: Number(this.thresholdInput) })
    if (!res) return false
    if (!res.ok) {
      this.error = res.error.message
      return false
    }
    this.error = null
    this.thresholdMs = res.value.thresholdMs
    return true
  }
}
