import { Task } from '../runtime/index'
import type { Future } from '../runtime/index'
import { MAX_WAITS_ON } from '../../shared/snapshots'
import type { AwaitSnapshot } from '../../shared/snapshots'

/**
 * What a task is waiting on, in words: another task ('task #12 worker-2'), or the runtime's own
 * description of the future ('sleep 1.0 s', 'gather (3)', …).
 */
export function describeAwait(f: Future<unknown> | null): AwaitSnapshot | null {
  if (!f) return null
  if (f instanceof Task) return { kind: 'task', text: `task #${f.id} ${f.name}`, taskId: f.id }
  const text = f.describe()
  const out: AwaitSnapshot = { kind: /^sleep\b/i.test(text) ? 'sleep' : 'future', text, taskId: null }
  const via = (f as { waitsOn?: () => readonly Future<unknown>[] }).waitsOn
  if (typeof via === 'function') {
    const ids: number[] = []
    for (const x of via.call(f)) {
      if (x instanceof Task) ids.push(x.id)
      if (ids.length >= MAX_WAITS_ON) break
    }
    out.waitsOn = ids
  }
  return out
}
