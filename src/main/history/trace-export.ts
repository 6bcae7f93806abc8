// A run as Chrome Trace Event JSON (the format Perfetto and chrome://tracing open): the run is a
// process, each task a thread named for it with one slice from its first step to its end, and each
// printed line an instant on its task's track. Built page by page like the other exports.
import type { HistoryLog, HistoryRun, HistoryTask } from './types'
import type { StreamBatch } from '../../shared/history-contract'
import type { SlowStep } from '../../shared/snapshots'

/** The trace's own format tag, in `otherData` (Perfetto shows it under the trace's metadata). */
export const TRACE_FORMAT = { format: 'loopwatch-trace', version: 1 } as const

/** Longest text an instant's name carries (the whole line is in its args). */
const NAME_CHARS = 120

/** Loop-clock ms as trace µs (integers: the format's unit, and what the viewers round to anyway). */
const us = (ms: number): number => Math.round(ms * 1000)

/** The document's opening: the metadata naming the process, then the event list begins. */
export function traceHead(run: HistoryRun, taskTotal: number, logTotal: number): string {
  const other = { ...TRACE_FORMAT, runId: run.runId, scenario: run.scenario, clock: run.clock, outcome: run.outcome, taskTotal, logTotal }
  const process = { name: 'process_name', ph: 'M', pid: run.runId, tid: 0, args: { name: `${run.scenario} #${run.runId}` } }
  const loopTrack = { name: 'thread_name', ph: 'M', pid: run.runId, tid: 0, args: { name: 'loop (lines printed outside a task)' } }
  return `{"displayTimeUnit":"ms","otherData":${JSON.stringify(other)},"traceEvents":[\n${JSON.stringify(process)},\n${JSON.stringify(loopTrack)}`
}

/**
 * A task's events: its track's name, then a complete slice ("X") from its first step (or its
 * creation, if it never ran) to its end, with its outcome in args; a task the run left unfinished
 * gets a begin ("B") with no end, which the viewers draw as "did not end".
 */
export function taskEvents(runId: number, t: HistoryTask): string[] {
  const events: object[] = [{ name: 'thread_name', ph: 'M', pid: runId, tid: t.id, args: { name: `${t.name} #${t.id}` } }]
  const start = t.startedAt ?? t.createdAt
  if (start !== null) {
    const args = {
      state: t.state,
      parentId: t.parentId,
      createdAtMs: t.createdAt,
      ...(t.cancelSource !== null ? { cancelSource: t.cancelSource, cancelReason: t.cancelReason } : {}),
      ...(t.error !== null ? { error: `${t.error.name}: ${t.error.message}` } : {}),
    }
    if (t.endedAt === null) events.push({ name: t.name, cat: 'task', ph: 'B', pid: runId, tid: t.id, ts: us(start), args })
    else events.push({ name: t.name, cat: 'task', ph: 'X', pid: runId, tid: t.id, ts: us(start), dur: Math.max(0, us(t.endedAt) - us(start)), args })
  }
  return events.map((e) => JSON.stringify(e))
}

/** A printed line: an instant on its task's track (the loop's track when no task printed it). */
export function logEvent(runId: number, l: HistoryLog): string {
  const name = l.line.length > NAME_CHARS ? `${l.line.slice(0, NAME_CHARS - 1)}…` : l.line
  return JSON.stringify({ name, cat: l.stream, ph: 'i', s: 't', pid: runId, tid: l.taskId ?? 0, ts: us(l.t), args: { line: l.line, stream: l.stream } })
}

/**
 * A recorded stream's state segments as slices nested in their task's slice on its track: one
 * "X" per running / waiting / cancelling stretch (cat `state`), so Perfetto shows how each task
 * spent its life. `offsetMs` moves the stream's loop-clock times onto the task rows' axis (ms since
 * the recorder was attached).
 */
export function stateEvents(runId: number, batches: readonly StreamBatch[], offsetMs: number, tidOf: (id: number) => number = (id) => id): string[] {
  const out: string[] = []
  for (const b of batches) {
    for (const a of b.segments ?? []) {
      for (const seg of a.segments) {
        const ts = us(seg.from - offsetMs)
        out.push(JSON.stringify({ name: seg.state, cat: 'state', ph: 'X', pid: runId, tid: tidOf(a.taskId), ts, dur: Math.max(0, us(seg.to - offsetMs) - ts) }))
      }
    }
  }
  return out
}

/**
 * A slow step: an instant (cat `slow-step`) on its task's track where it ended, named with its
 * duration; where it resumed from and parked on in args. `offsetMs` as stateEvents'.
 */
export function slowStepEvent(runId: number, s: SlowStep, offsetMs: number): string {
  const args = { durationMs: s.durationMs, resumedFrom: s.resumedFrom, parkedOn: s.parkedOn, loop: s.loop, wallMs: s.at.wall }
  return JSON.stringify({ name: `slow step ${s.durationMs.toFixed(1)} ms`, cat: 'slow-step', ph: 'i', s: 't', pid: runId, tid: s.taskId, ts: us(s.at.loop - offsetMs), args })
}

export const TRACE_TAIL = '\n]}\n'
