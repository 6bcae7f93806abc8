// The replay's window side: a frame goes into the one task store under the replay's loop, beside
// the live tasks and untouched by their deltas; the replay state pages the stream in and seeks.
import { describe, expect, it } from 'vitest'
import { TaskStore } from '../../src/renderer/src/state/task-store.svelte'
import { REPLAY_ID_BASE, ReplayState, mergeSlowMarks, replayLoop } from '../../src/renderer/src/state/replay.svelte'
import type { LoopwatchApi } from '../../src/shared/contract'
import type { HistoryEventsPage, StreamBatch } from '../../src/shared/history-contract'
import type { HistoryRun } from '../../src/shared/snapshots'
import { delta, task } from '../renderer/helpers'

const run = { runId: 7, scenario: 'demo', outcome: 'done' } as HistoryRun

/** Two tasks: #1 waits 0–1000 then is done; #2 is created at 500, runs, waits to 2000, fails. */
const batches: StreamBatch[] = [
  { t: 0, tasks: [task({ id: 1, loop: 'run-7', runId: 7, name: 'a', state: 'waiting', at: 0 })], segments: [{ taskId: 1, first: 0, segments: [{ state: 'running', from: 0, to: 0 }], open: { state: 'waiting', from: 0 } }] },
  { t: 600, tasks: [task({ id: 2, loop: 'run-7', runId: 7, name: 'b', state: 'waiting', at: 500, parentId: 1 })], segments: [{ taskId: 2, first: 0, segments: [{ state: 'running', from: 500, to: 500 }], open: { state: 'waiting', from: 500 } }],
    logs: [{ seq: 1, loop: 'run-7', runId: 7, taskId: 2, taskName: 'b', t: 550, at: 550, wall: 0, stream: 'stdout', line: 'hello' }] },
  { t: 2000, tasks: [
    task({ id: 1, loop: 'run-7', runId: 7, name: 'a', state: 'done', at: 0, ended: 1000 }),
    task({ id: 2, loop: 'run-7', runId: 7, name: 'b', state: 'failed', at: 500, ended: 2000, parentId: 1 }),
  ], segments: [
    { taskId: 1, first: 1, segments: [{ state: 'waiting', from: 0, to: 1000 }], open: null },
    { taskId: 2, first: 1, segments: [{ state: 'waiting', from: 500, to: 2000 }], open: null },
  ] },
]

/** An API answering history:events in pages of one chunk (one batch each). */
function fakeApi(calls: unknown[]): LoopwatchApi {
  return {
    invoke: async (channel: string, payload: { runId: number; from?: number }) => {
      calls.push([channel, payload])
      const from = payload.from ?? 0
      const page: HistoryEventsPage = {
        runId: payload.runId, chunkTotal: batches.length, batchTotal: batches.length, bytes: 123, truncated: true,
        chunks: [{ seq: from, batches: [batches[from]!] }], next: from + 1 < batches.length ? from + 1 : null,
      }
      return { ok: true, value: page }
    },
  } as unknown as LoopwatchApi
}

describe('replay in the window', () => {
  it('the store shows a replay loop beside the live tasks: same recorded ids never clash, live deltas leave it alone', () => {
    const store = new TaskStore()
    store.apply(delta(1, { created: [task({ id: 1, loop: 'run-7', name: 'live-a' })] }))
    const loop = replayLoop(7)
    store.showLoop(loop, [{ ...task({ id: REPLAY_ID_BASE + 1, loop, name: 'a' }), history: { head: [], skipped: 0, tail: [], open: { state: 'waiting', from: 0 } } }], [], { loop, now: 5, wall: 0, rate: null })
    store.apply(delta(2, { changed: [task({ id: 1, loop: 'run-7', name: 'live-a', state: 'done' })] }))
    expect([...store.tasks.values()].map((t) => [t.id, t.loop, t.name])).toEqual([[1, 'run-7', 'live-a'], [REPLAY_ID_BASE + 1, loop, 'a']])
    expect(store.histories.get(REPLAY_ID_BASE + 1)?.open).toEqual({ state: 'waiting', from: 0 })
    expect(store.loopNow(loop, 1e12)).toBe(5)
    store.showLoop(loop, [], [], null)
    expect([...store.tasks.keys()]).toEqual([1])
    expect(store.clocks.has(loop)).toBe(false)
  })

  it('opens a run by paging its whole stream, shows its first moment, seeks (clamped) and closes', async () => {
    const store = new TaskStore()
    const calls: unknown[] = []
    let shown: string | null = null
    const replay = new ReplayState(() => fakeApi(calls), store, (loop) => (shown = loop))
    expect(await replay.open(run)).toBe(true)
    expect(calls.map((c) => (c as [string, { from: number }])[1].from)).toEqual([0, 1, 2])
    expect(shown).toBe('replay-7')
    expect([replay.start, replay.end, replay.truncated, replay.bytes]).toEqual([0, 2000, true, 123])
    const at = () => new Map([...store.tasks.values()].map((t) => [t.localId, [t.id, t.state, t.parentId]]))
    expect(at()).toEqual(new Map([[1, [REPLAY_ID_BASE + 1, 'waiting', null]]]))
    replay.seek(1500)
    expect(at()).toEqual(new Map([[1, [REPLAY_ID_BASE + 1, 'done', null]], [2, [REPLAY_ID_BASE + 2, 'waiting', REPLAY_ID_BASE + 1]]]))
    expect(store.logs.map((l) => [l.loop, l.taskId, l.line])).toEqual([['replay-7', REPLAY_ID_BASE + 2, 'hello']])
    replay.seek(99_999)
    expect(replay.t).toBe(2000)
    expect(at().get(2)?.[1]).toBe('failed')
    replay.close()
    expect(store.tasks.size).toBe(0)
    expect(replay.run).toBeNull()
  })

  it('marks the run\'s slow steps on the replay\'s tasks as the scrubber passes where each ended (the timeline\'s ▲)', async () => {
    const store = new TaskStore()
    const replay = new ReplayState(() => fakeApi([]), store, () => {})
    const slow = (seq: number, taskId: number, loop: number) => ({
      seq, loop: 'run-7', runId: 7, taskId, taskName: `t${taskId}`, durationMs: 30, at: { loop, wall: 0 }, resumedFrom: null, parkedOn: null,
    })
    expect(await replay.open(run, [slow(2, 2, 1500), slow(1, 1, 400)])).toBe(true)
    const marks = () => [...replay.slowByTask].map(([id, list]) => [id, list.map((s) => s.at.loop)])
    expect(marks()).toEqual([])
    replay.seek(400)
    expect(marks()).toEqual([[REPLAY_ID_BASE + 1, [400]]])
    expect(replay.slowByTask.get(REPLAY_ID_BASE + 1)![0]!.loop).toBe('replay-7')
    replay.seek(2000)
    expect(marks()).toEqual([[REPLAY_ID_BASE + 1, [400]], [REPLAY_ID_BASE + 2, [1500]]])
    replay.seek(0)
    expect(marks()).toEqual([])
    // With the live marks: both, neither hiding the other.
    replay.seek(2000)
    const live = new Map([[1, [slow(9, 1, 10)]]])
    expect([...mergeSlowMarks(live, replay.slowByTask).keys()]).toEqual([1, REPLAY_ID_BASE + 1, REPLAY_ID_BASE + 2])
    expect(mergeSlowMarks(live, new Map())).toBe(live)
    replay.close()
    expect(replay.slowByTask.size).toBe(0)
  })

  it('a connected process\'s run: slow steps kept under its own ids (its rows\') are marked on the replayed task of that localId', async () => {
    const store = new TaskStore()
    // The stream names the tasks by the window's ids (1e9 + …), their own kept as localId (1 and 2).
    const remote = batches.map((b) => ({ ...b, tasks: b.tasks?.map((t) => ({ ...t, id: 1_000_000_000 + t.id, localId: t.id, parentId: t.parentId === null ? null : 1_000_000_000 + t.parentId })),
      segments: b.segments?.map((a) => ({ ...a, taskId: 1_000_000_000 + a.taskId })) }))
    const api = { invoke: async (_c: string, p: { runId: number; from?: number }) => {
      const from = p.from ?? 0
      return { ok: true, value: { runId: p.runId, chunkTotal: remote.length, batchTotal: remote.length, bytes: 1, truncated: false, chunks: [{ seq: from, batches: [remote[from]!] }], next: from + 1 < remote.length ? from + 1 : null } }
    } } as unknown as LoopwatchApi
    const replay = new ReplayState(() => api, store, () => {})
    const slow = { seq: 1, loop: 'agent-1/main', runId: 7, taskId: 2, taskName: 'b', durationMs: 30, at: { loop: 1500, wall: 0 }, resumedFrom: null, parkedOn: null }
    expect(await replay.open(run, [slow])).toBe(true)
    replay.seek(2000)
    const replayed = [...store.tasks.values()].find((t) => t.localId === 2)!
    expect(replayed.id).toBe(REPLAY_ID_BASE + 1_000_000_002)
    expect([...replay.slowByTask.keys()]).toEqual([replayed.id])
  })
})
