// Replaying a recorded run: its event stream (history:events) is loaded and indexed once, and each
// position of the scrubber puts the run's state at that loop time into the window's one task store
// under a loop of its own (`replay-<runId>`), so the table, the timeline and the details show it as
// they show a live loop. Read only: the replay's tasks exist nowhere to cancel.
import type { LoopwatchApi, Result } from '../../../shared/contract'
import type { HistoryRun, LogLine, SlowStep } from '../../../shared/snapshots'
import type { HistoryEventsPage, StreamBatch } from '../../../shared/history-contract'
import { ReplayIndex } from './replay-frames'
import type { FrameTask } from './replay-frames'
import type { TaskStore } from './task-store.svelte'
import type { TimeSpan } from './timeline.svelte'

/** Playback speeds (loop ms per wall ms); 'max' plays the whole run in about two seconds. */
export const REPLAY_SPEEDS = [0.25, 0.5, 1, 2, 4, 8, 16, 'max'] as const
export type ReplaySpeed = (typeof REPLAY_SPEEDS)[number]

/** Frames 'max' takes from start to end (at 60 a second: two seconds). */
const MAX_SPEED_FRAMES = 120

/**
 * Replayed tasks get ids of their own, so they never meet the live tasks of the same run (still
 * in the store) or another loop's: the recorded id plus this, kept as `localId` for the details.
 */
export const REPLAY_ID_BASE = 4_000_000_000

const REPLAY_PREFIX = 'replay-'

/** The window's frame clock (typed here: node-side tests compile this file without the DOM's lib). */
const frames = globalThis as unknown as {
  requestAnimationFrame(cb: (wallNow: number) => void): number
  cancelAnimationFrame(handle: number): void
}

/** The loop a replay of run `runId` shows its tasks on. */
export function replayLoop(runId: number): string {
  return `${REPLAY_PREFIX}${runId}`
}

/** Is this a replay's loop (read only: nothing to cancel, no deadline to set)? */
export function isReplayLoop(loop: string): boolean {
  return loop.startsWith(REPLAY_PREFIX)
}

/** A recorded task as the replay shows it: its ids (and those it names) moved to the replay's. */
function relabel(t: FrameTask, loop: string): FrameTask {
  const id = (n: number) => REPLAY_ID_BASE + n
  const awaiting = t.awaiting && {
    ...t.awaiting,
    taskId: t.awaiting.taskId === null ? null : id(t.awaiting.taskId),
    ...(t.awaiting.waitsOn ? { waitsOn: t.awaiting.waitsOn.map(id) } : {}),
  }
  const task: FrameTask = { ...t, id: id(t.id), localId: t.localId ?? t.id, loop, parentId: t.parentId === null ? null : id(t.parentId), awaiting }
  return task
}

/**
 * A connected process's run keeps its task rows and slow steps under the process's own ids, its
 * stream under the window's (with the own id as `localId`): row id → stream id, to put a slow step
 * on its replayed task. An in-process run's ids are the same in both (an empty map).
 */
function streamIdsOfRows(batches: readonly StreamBatch[]): Map<number, number> {
  const m = new Map<number, number>()
  for (const b of batches) for (const t of b.tasks ?? []) if (t.localId != null) m.set(t.localId, t.id)
  return m
}

/** Slow steps by task id, as the timeline's ▲ marks take them. */
export function slowStepsByTask(steps: readonly SlowStep[]): Map<number, SlowStep[]> {
  const m = new Map<number, SlowStep[]>()
  for (const s of steps) {
    const list = m.get(s.taskId)
    if (list) list.push(s)
    else m.set(s.taskId, [s])
  }
  return m
}

/** The live marks and a replay's together (their task ids never meet: REPLAY_ID_BASE). */
export function mergeSlowMarks(live: ReadonlyMap<number, readonly SlowStep[]>, replay: ReadonlyMap<number, readonly SlowStep[]>): ReadonlyMap<number, readonly SlowStep[]> {
  if (replay.size === 0) return live
  if (live.size === 0) return replay
  return new Map([...live, ...replay])
}

function relabelLine(l: LogLine, loop: string): LogLine {
  return { ...l, loop, taskId: l.taskId === null ? null : REPLAY_ID_BASE + l.taskId }
}

export class ReplayState {
  /** The run being replayed (null: none). */
  run = $state.raw<HistoryRun | null>(null)
  loading = $state(false)
  error = $state<string | null>(null)
  /** The stream hit its cap while recording: the replay ends before the run did. */
  truncated = $state(false)
  /** Where the scrubber is, in loop ms. */
  t = $state(0)
  start = $state(0)
  end = $state(0)
  playing = $state(false)
  speed = $state<ReplaySpeed>(1)
  /** Tasks the replay knows of, and stored bytes of the stream (shown in the bar). */
  taskCount = $state(0)
  bytes = $state(0)
  /** The run's slow steps under the replay's ids and loop, in the order they ended (loop time). */
  private slowSteps = $state.raw<SlowStep[]>([])
  /** How many of them had ended by the scrubber's time (a number: the marks change only when it does). */
  private readonly slowShown = $derived.by(() => {
    let n = 0
    while (n < this.slowSteps.length && this.slowSteps[n]!.at.loop <= this.t) n++
    return n
  })
  /** The slow steps that had ended by the scrubber's time, by the replay's task ids: the timeline's ▲ marks. */
  readonly slowByTask = $derived(slowStepsByTask(this.slowSteps.slice(0, this.slowShown)))
  private index: ReplayIndex | null = null
  private frameHandle: number | null = null
  private lastWall = 0

  /** `onOpened`: show the replay's loop (the window switches the table's scope to it). */
  constructor(
    private readonly api: () => LoopwatchApi | null,
    private readonly store: TaskStore,
    private readonly onOpened: (loop: string) => void,
  ) {}

  get loop(): string | null {
    return this.run ? replayLoop(this.run.runId) : null
  }

  /**
   * Loads run `run`'s stream (every page) and shows its first moment; `slowSteps` (the run's, as
   * history:get brought them) are marked on the timeline as the scrubber passes them.
   */
  async open(run: HistoryRun, slowSteps: readonly SlowStep[] = []): Promise<boolean> {
    const api = this.api()
    if (!api || this.loading) return false
    this.close()
    this.loading = true
    this.error = null
    try {
      const batches: StreamBatch[] = []
      let truncated = false
      let bytes = 0
      for (let from: number | null = 0; from !== null; ) {
        const res: Result<HistoryEventsPage> = await api.invoke('history:events', { runId: run.runId, from })
        if (!res.ok) {
          this.error = `cannot replay run ${run.runId}: ${res.error.message}`
          return false
        }
        for (const c of res.value.chunks) batches.push(...c.batches)
        truncated = res.value.truncated
        bytes = res.value.bytes
        from = res.value.next
      }
      if (batches.length === 0) {
        this.error = `run ${run.runId} has no recorded events to replay (recorded before replay existed, or without the window's monitor)`
        return false
      }
      this.index = new ReplayIndex(batches)
      const loop = replayLoop(run.runId)
      const streamId = streamIdsOfRows(batches)
      this.slowSteps = slowSteps
        .map((s) => ({ ...s, loop, taskId: REPLAY_ID_BASE + (streamId.get(s.taskId) ?? s.taskId) }))
        .sort((a, b) => a.at.loop - b.at.loop)
      this.run = run
      this.truncated = truncated
      this.bytes = bytes
      this.taskCount = this.index.taskCount
      this.start = this.index.start
      this.end = this.index.end
      this.seek(this.start)
      this.onOpened(replayLoop(run.runId))
      return true
    } finally {
      this.loading = false
    }
  }

  /** Shows the run as it was at loop time `t` (clamped to the recording). */
  seek(t: number): void {
    const index = this.index
    const loop = this.loop
    if (!index || !loop) return
    this.t = Math.min(this.end, Math.max(this.start, t))
    const frame = index.frame(this.t)
    this.store.showLoop(
      loop,
      frame.tasks.map((x) => relabel(x, loop)),
      frame.logs.map((l) => relabelLine(l, loop)),
      { loop, now: this.t, wall: Date.now(), rate: null },
    )
  }

  play(): void {
    if (!this.index || this.playing) return
    if (this.t >= this.end) this.seek(this.start)
    this.playing = true
    this.lastWall = performance.now()
    this.frameHandle = frames.requestAnimationFrame(this.step)
  }

  pause(): void {
    this.playing = false
    if (this.frameHandle !== null) frames.cancelAnimationFrame(this.frameHandle)
    this.frameHandle = null
  }

  toggle(): void {
    if (this.playing) this.pause()
    else this.play()
  }

  /** The time axis of the replay's loop: the whole recording, so scrubbing never rescales it. */
  spanOf(loop: string | undefined): TimeSpan | null {
    if (!this.index || loop === undefined || loop !== this.loop) return null
    const width = Math.max(this.end - this.start, 1)
    return { start: this.start, end: this.start + width * 1.03 }
  }

  /** Ends the replay: its loop leaves the store. */
  close(): void {
    this.pause()
    const loop = this.loop
    if (loop) this.store.showLoop(loop, [], [], null)
    this.run = null
    this.index = null
    this.slowSteps = []
    this.error = null
  }

  private readonly step = (wallNow: number): void => {
    if (!this.playing) return
    const dt = Math.max(0, wallNow - this.lastWall)
    this.lastWall = wallNow
    const advance = this.speed === 'max' ? (this.end - this.start) / MAX_SPEED_FRAMES : dt * this.speed
    this.seek(this.t + advance)
    if (this.t >= this.end) {
      this.pause()
      return
    }
    this.frameHandle = frames.requestAnimationFrame(this.step)
  }
}
