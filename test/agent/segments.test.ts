// Busy tasks' state segments from the agent: the history the hub ends up with is exactly the
// agent's (head, the gap, tail), whatever turns the tasks took under the segment budget.
import { afterEach, describe, expect, it } from 'vitest'
import { AGENT_TAIL_SEGMENTS_PER_DELTA, watch } from '../../src/agent/watch'
import type { Watcher } from '../../src/agent/watch'
import { createTask, gather, run, sleep } from '../../src/main/runtime/index'
import { SEGMENT_CAPS } from '../../src/shared/snapshots'
import type { TaskDelta } from '../../src/shared/snapshots'
import { AgentHub } from '../../src/main/hub/index'
import { appUrl } from '../../src/shared/agent-protocol/index'
import { eventually, startHub } from '../hub/hub-helper'

let watcher: Watcher | null = null
afterEach(async () => {
  await watcher?.close()
  watcher = null
})

const BUSY = 300

/**
 * 300 tasks switching 800 times each, watched by an agent on a fresh hub; resolves with the tail
 * segments (appends past the head) each tasks:delta line carried, once every busy task reads done
 * at the hub.
 */
async function busyRun(): Promise<{ hub: AgentHub; tails: number[] }> {
  const hub = await startHub()
  watcher = watch({ app: appUrl(hub) })
  const tails: number[] = []
  const conn = watcher.connection as unknown as { sendLine: (line: string) => boolean }
  const sendLine = conn.sendLine.bind(conn)
  conn.sendLine = (line: string) => {
    const m = JSON.parse(line) as { type: string; delta?: TaskDelta }
    if (m.type === 'tasks:delta') {
      let n = 0
      for (const a of m.delta!.segments ?? []) if (a.first >= SEGMENT_CAPS.head) n += a.segments.length
      tails.push(n)
    }
    return sendLine(line)
  }
  await eventually(() => watcher!.connection.status.state === 'connected')
  await run(async () => {
    const busy = async (): Promise<void> => {
      for (let i = 0; i < 400; i++) await sleep(0)
      await sleep(5) // real time: a delta comes due while some still switch
      for (let i = 0; i < 400; i++) await sleep(0)
    }
    await gather(Array.from({ length: BUSY }, (_, i) => createTask(busy, { name: `busy${i}` })))
    await sleep(300)
  })
  await eventually(() => hub.tasks('agent-1').filter((t) => t.task.name.startsWith('busy') && t.task.state === 'done').length === BUSY, 20_000)
  return { hub, tails }
}

describe('watch() and busy tasks', () => {
  it(`sends at most ${AGENT_TAIL_SEGMENTS_PER_DELTA} tail segments a delta (plus the rest of one task's tail)`, { timeout: 60_000 }, async () => {
    const { tails } = await busyRun()
    // Busy enough that the budget was what bounded the deltas.
    expect(tails.reduce((a, b) => a + b, 0)).toBeGreaterThan(4 * AGENT_TAIL_SEGMENTS_PER_DELTA)
    expect(Math.max(...tails)).toBeLessThan(AGENT_TAIL_SEGMENTS_PER_DELTA + SEGMENT_CAPS.tail)
  })

  it("every segment the budget held back reaches the hub, ended tasks' too: each task's history there becomes exactly the agent's", { timeout: 60_000 }, async () => {
    const { hub } = await busyRun()
    const busy = () => hub.tasks('agent-1').filter((t) => t.task.name.startsWith('busy'))
    // They take their turns after their end: give them time, then compare each in full.
    await eventually(() => busy().every(({ task }) => JSON.stringify(task.history) === JSON.stringify(watcher!.monitor.get(task.id)!.history)), 30_000).catch(() => {})
    for (const { task } of busy()) {
      const mine = watcher!.monitor.get(task.id)!.history!
      expect(task.history, task.name).toEqual(mine)
      expect(mine.skipped).toBeGreaterThan(0)
    }
    expect(hub.source('agent-1')!.errors).toBe(0)
  })
})
