// App-global task ids for the tasks of connected processes. The renderer keys every task by one
// number, and two processes both have a task 1: each (source, local id) pair gets its own number
// from a range the in-process runtime never reaches.

/** The first id given to an external task. The runtime counts its own tasks from 1 upwards. */
export const EXTERNAL_ID_BASE = 1_000_000_000

/** What the hub keeps at most (32 sources × 20,000 tasks), with room to spare. */
const DEFAULT_MAX_ENTRIES = 700_000

/**
 * A bounded two-way map between `(sourceId, localId)` and app-global ids. Ids are never reused
 * within an app start, so a stale id held by a window can never name another process's task.
 *
 * @example
 * const ids = new SourceIdMap()
 * ids.global('agent-1', 7) // 1000000000
 * ids.local(1000000000) // { sourceId: 'agent-1', localId: 7 }
 */
export class SourceIdMap {
  private next = EXTERNAL_ID_BASE
  private readonly bySource = new Map<string, Map<number, number>>()
  private readonly byGlobal = new Map<number, { sourceId: string; localId: number }>()

  constructor(private readonly maxEntries = DEFAULT_MAX_ENTRIES) {}

  get size(): number {
    return this.byGlobal.size
  }

  /** The global id of a source's task, given one the first time it is asked. */
  global(sourceId: string, localId: number): number {
    const known = this.peek(sourceId, localId)
    if (known !== undefined) return known
    // Past the bound, the oldest mapping goes: the hub forgot that task long ago.
    if (this.byGlobal.size >= this.maxEntries) {
      const oldest = this.byGlobal.keys().next()
      if (!oldest.done) this.drop(oldest.value)
    }
    const id = this.next++
    let local = this.bySource.get(sourceId)
    if (!local) this.bySource.set(sourceId, (local = new Map()))
    local.set(localId, id)
    this.byGlobal.set(id, { sourceId, localId })
    return id
  }

  /** The global id if one was given, without giving one. */
  peek(sourceId: string, localId: number): number | undefined {
    return this.bySource.get(sourceId)?.get(localId)
  }

  /** The source and local id behind a global id, or null (not an external task, or forgotten). */
  local(globalId: number): { sourceId: string; localId: number } | null {
    return this.byGlobal.get(globalId) ?? null
  }

  /** Forgets one task's mapping; returns its global id if it had one. */
  forget(sourceId: string, localId: number): number | undefined {
    const id = this.peek(sourceId, localId)
    if (id !== undefined) this.drop(id)
    return id
  }

  /** Forgets every mapping of a source; returns their global ids. */
  forgetSource(sourceId: string): number[] {
    const ids = [...(this.bySource.get(sourceId)?.values() ?? [])]
    for (const id of ids) this.byGlobal.delete(id)
    this.bySource.delete(sourceId)
    return ids
  }

  private drop(globalId: number): void {
    const entry = this.byGlobal.get(globalId)
    if (!entry) return
    this.byGlobal.delete(globalId)
    const local = this.bySource.get(entry.sourceId)
    local?.delete(entry.localId)
    if (local?.size === 0) this.bySource.delete(entry.sourceId)
  }
}
