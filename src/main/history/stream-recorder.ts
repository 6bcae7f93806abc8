// A run's event stream for replay: every monitor delta (this app's loops and connected processes'
// alike, as the window receives them) is cut into one batch per run it touches, batches are
// gathered into chunks of about STREAM_LIMITS.chunkRawBytes of JSON, and each chunk is stored
// deflate-compressed. The per-run cap counts stored bytes; past it the run's stream is marked
// truncated and recording of that run stops.
import { FlushTimer } from './flush-timer'
import { deflateRawSync } from 'node:zlib'
import { STREAM_LIMITS } from '../../shared/history-contract'
import type { StreamBatch } from '../../shared/history-contract'
import type { LogLine, SegmentAppend, TaskDelta, TaskSnapshot } from '../../shared/snapshots'
import type { Database } from './sqlite'

/** Knobs of the stream recorder (tests shrink them). */
export interface StreamLimits {
  /** Compressed bytes one run may store (default 8 MiB). */
  maxBytes: number
  /** JSON bytes gathered before a chunk is compressed and written (default 256 KiB). */
  chunkRawBytes: number
  /** Wall ms a run's stream stays open after its run ended: the monitor's last delta comes after. */
  closeGraceMs: number
  /** Wall ms batches may wait in memory before they are written (default 500). */
  flushMs: number
}

export const STREAM_DEFAULTS: StreamLimits = {
  maxBytes: STREAM_LIMITS.maxBytes,
  chunkRawBytes: STREAM_LIMITS.chunkRawBytes,
  closeGraceMs: 2000,
  flushMs: 500,
}

interface RunStream {
  /** Batches (as JSON texts) not yet written, and their length in characters. */
  pending: string[]
  pendingChars: number
  pendingFrom: number
  pendingTo: number
  /** What is stored already. */
  bytes: number
  chunks: number
  batches: number
  truncated: boolean
  /** Loops this run's tasks live on (`run-7`, `agent-1/main`): their clocks date its batches. */
  loops: Set<string>
  /** The run ended: its stream closes after the grace. */
  closing: NodeJS.Timeout | null
}

/**
 * Keeps the event streams of the runs being recorded. `add(delta)` is called once per monitor
 * delta (at most 60 a second, never inside a task step); it only slices and serialises. Writes
 * happen when a run's pending batches pass a chunk's size, on a timer, on `flush()` (every read
 * flushes first) and when a run's stream closes.
 */
export class StreamRecorder {
  private readonly runs = new Map<number, RunStream>()
  /** Which recorded run each task belongs to (segments name only their task). */
  private readonly taskRun = new Map<number, number>()
  private readonly flushTimer: FlushTimer
  private disposed = false
  private readonly insertStream
  private readonly insertChunk
  private readonly updateStream

  constructor(
    db: Database,
    private readonly limits: StreamLimits = STREAM_DEFAULTS,
    private readonly onBackgroundError: (error: unknown) => void = () => {},
  ) {
    this.flushTimer = new FlushTimer(limits.flushMs, () => this.flush(), onBackgroundError)
    this.insertStream = db.prepare('INSERT OR IGNORE INTO run_streams (run_id) VALUES (?)')
    this.insertChunk = db.prepare('INSERT INTO run_stream_chunks (run_id, seq, batches, t_from, t_to, data) VALUES (?, ?, ?, ?, ?, ?)')
    this.updateStream = db.prepare('UPDATE run_streams SET bytes = ?, chunks = ?, batches = ?, truncated = ? WHERE run_id = ?')
  }

  /** Starts recording run `runId` (its row in `run_streams` is made at once: "recorded, empty"). */
  open(runId: number): void {
    if (this.disposed || this.runs.has(runId)) return
    this.insertStream.run(runId)
    this.runs.set(runId, {
      pending: [], pendingChars: 0, pendingFrom: 0, pendingTo: 0,
      bytes: 0, chunks: 0, batches: 0, truncated: false, loops: new Set(), closing: null,
    })
  }

  /** The run ended: keep taking its batches for the grace (the monitor's last look), then close. */
  close(runId: number): void {
    const s = this.runs.get(runId)
    if (!s || s.closing) return
    s.closing = setTimeout(() => this.finish(runId), this.limits.closeGraceMs)
    s.closing.unref()
  }

  /** Cuts one delta into a batch per recorded run it touches. */
  add(delta: Omit<TaskDelta, 'seq'>): void {
    if (this.disposed || this.runs.size === 0) return
    const cut = new Map<number, { tasks: TaskSnapshot[]; segments: SegmentAppend[]; logs: LogLine[] }>()
    const slice = (runId: number) => {
      let b = cut.get(runId)
      if (!b) cut.set(runId, (b = { tasks: [], segments: [], logs: [] }))
      return b
    }
    for (const list of [delta.created, delta.changed, delta.ended]) {
      for (const t of list) {
        if (t.runId === null) continue
        const s = this.runs.get(t.runId)
        if (!s || s.truncated) continue
        s.loops.add(t.loop)
        this.taskRun.set(t.id, t.runId)
        slice(t.runId).tasks.push(t)
      }
    }
    for (const a of delta.segments ?? []) {
      const runId = this.taskRun.get(a.taskId)
      if (runId !== undefined && !this.runs.get(runId)?.truncated) slice(runId).segments.push(a)
    }
    for (const l of delta.logs) {
      if (l.runId === null) continue
      const s = this.runs.get(l.runId)
      if (s && !s.truncated) {
        s.loops.add(l.loop)
        slice(l.runId).logs.push(l)
      }
    }
    for (const [runId, b] of cut) {
      const s = this.runs.get(runId)!
      const batch: StreamBatch = { t: batchTime(s, delta, b.tasks, b.logs) }
      if (b.tasks.length > 0) batch.tasks = b.tasks
      if (b.segments.length > 0) batch.segments = b.segments
      if (b.logs.length > 0) batch.logs = b.logs
      const text = JSON.stringify(batch)
      if (s.pending.length === 0) s.pendingFrom = batch.t
      s.pendingTo = Math.max(s.pendingTo, batch.t)
      s.pending.push(text)
      s.pendingChars += text.length
      if (s.pendingChars >= this.limits.chunkRawBytes) this.writeRun(runId, s)
    }
    if (cut.size > 0) this.flushTimer.arm()
  }

  /** Writes every run's pending batches. */
  flush(): void {
    this.flushTimer.disarm()
    for (const [runId, s] of this.runs) this.writeRun(runId, s)
  }

  /** Stops: pending batches are written, later deltas are ignored. */
  dispose(): void {
    if (this.disposed) return
    this.flush()
    for (const s of this.runs.values()) if (s.closing) clearTimeout(s.closing)
    this.runs.clear()
    this.taskRun.clear()
    this.disposed = true
  }

  /** Is run `runId`'s stream open (started here, not yet past its close grace)? */
  isRecording(runId: number): boolean {
    return this.runs.has(runId)
  }

  /** Runs whose streams are open (tests: bounded bookkeeping). */
  openRuns(): number {
    return this.runs.size
  }

  private finish(runId: number): void {
    const s = this.runs.get(runId)
    if (!s) return
    try {
      this.writeRun(runId, s)
    } catch (error) {
      this.onBackgroundError(error)
    }
    this.runs.delete(runId)
    for (const [taskId, r] of this.taskRun) if (r === runId) this.taskRun.delete(taskId)
  }

  private writeRun(runId: number, s: RunStream): void {
    if (s.pending.length === 0 || s.truncated) return
    const raw = `[${s.pending.join(',')}]`
    const data = deflateRawSync(raw)
    const count = s.pending.length
    s.pending = []
    s.pendingChars = 0
    if (s.bytes + data.length > this.limits.maxBytes) {
      // Past the cap: the stream ends at the last whole chunk, and says so.
      s.truncated = true
      this.updateStream.run(s.bytes, s.chunks, s.batches, 1, runId)
      return
    }
    this.insertChunk.run(runId, s.chunks, count, s.pendingFrom, s.pendingTo, data)
    s.bytes += data.length
    s.chunks += 1
    s.batches += count
    this.updateStream.run(s.bytes, s.chunks, s.batches, 0, runId)
  }
}

/**
 * A batch's time on the run's loop clock: the clock the delta reports for one of the run's loops,
 * else (the loop was detached: the run's last batch) the latest stamp its tasks and lines carry.
 */
function batchTime(s: RunStream, delta: Omit<TaskDelta, 'seq'>, tasks: TaskSnapshot[], logs: LogLine[]): number {
  for (const c of delta.clocks) if (s.loops.has(c.loop)) return c.now
  let t = 0
  for (const x of tasks) t = Math.max(t, x.endedAt?.loop ?? x.startedAt?.loop ?? x.createdAt.loop)
  for (const l of logs) t = Math.max(t, l.at ?? l.t)
  return t
}
