import type { Instrument, Task, TaskState } from '../runtime'
import type { RecordableLoop } from './types'
import type { TaskRow, WriteBuffer } from './write-buffer'

/**
 * Attaches an instrument that records every task of `loop` into run `runId`: name, parent (the
 * task running when it was created), first-run and end times, final state, who cancelled it and
 * why, and a failure's error and stack. The instrument only updates in-memory rows; the buffer
 * writes them later. Returns `remove()`, which detaches it (already-recorded rows still flush).
 *
 * @example const stop = recordTasks(run.loop, runId, buffer); await run.start(); stop()
 */
export function recordTasks(loop: RecordableLoop, runId: number, buffer: WriteBuffer): () => void {
  const t0 = loop.time()
  // Live tasks only: a finished task cannot create children, so it is never looked up again.
  const rows = new Map<number, TaskRow>()
  const now = (): number => loop.time() - t0

  const track = (task: Task<unknown>, parentId: number | null): void => {
    const row: TaskRow = {
      runId,
      taskId: task.id,
      name: task.name,
      parentId,
      createdAt: now(),
      startedAt: null,
      endedAt: null,
      state: task.state,
      cancelSource: null,
      cancelReason: null,
      errorName: null,
      errorMessage: null,
      stack: null,
    }
    rows.set(task.id, row)
    buffer.markTask(row)
  }

  const noteCancel = (task: Task<unknown>, row: TaskRow): void => {
    const request = task.cancelledBy() // a cancellation that reached it from elsewhere says its origin's source
    if (request) {
      row.cancelSource = request.source
      row.cancelReason = request.reason ?? null
    }
  }

  const instrument: Instrument = {
    taskCreated(task) {
      const parent = task.parent // the task whose step created it (currentTask() throws outside a loop)
      track(task, parent && rows.has(parent.id) ? parent.id : null)
    },
    taskStateChanged(task, _from, to: TaskState) {
      const row = rows.get(task.id)
      if (!row) return
      row.state = to
      // Only what a post-mortem needs reaches the disk before the end: the first start and a
      // cancel request. running ⇄ waiting flips stay in memory (after a crash an open task reads
      // `interrupted` whatever it was doing), which saves a row write per await.
      if (to === 'running' && row.startedAt === null) {
        row.startedAt = now()
        buffer.markTask(row)
      } else if (to === 'cancelling') {
        noteCancel(task, row)
        buffer.markTask(row)
      }
    },
    taskDone(task) {
      const row = rows.get(task.id)
      if (!row) return
      rows.delete(task.id)
      row.name = task.name
      row.state = task.state
      row.endedAt = now()
      noteCancel(task, row)
      if (task.state === 'failed') {
        const error = task.exception()
        const e = error instanceof Error ? error : null
        row.errorName = e ? e.name : 'NonError'
        row.errorMessage = e ? e.message : String(error)
        row.stack = e?.stack ?? null
      }
      buffer.markTask(row)
    },
  }

  for (const task of loop.allTasks()) track(task, null)
  return loop.addInstrument(instrument)
}
