import { describe, expect, it } from 'vitest'
import { sleep } from '../../src/main/runtime/index'
import { watchedLoop } from './monitor-helper'

/** A loop's tasks held both as columns (ended, carried) and as objects (not carried yet, or revived). */
async function mixed(revive: boolean) {
  const w = watchedLoop()
  const ids: number[] = []
  await w.loop.runUntilComplete(async () => {
    const ts = Array.from({ length: 150 }, (_, i) => w.loop.createTask(async () => void (await sleep(i % 5))))
    ids.push(...ts.map((t) => t.id))
    for (const t of ts) await t
  })
  w.timers.advance(20) // every one of them carried, ended: held as columns
  // A line printed for an early task after its end brings it back as an object (its page of ids made anew).
  if (revive) w.monitor.log('run-1', { t: 0, line: 'late', taskId: ids[3]!, taskName: null, stream: 'stdout' })
  await w.loop.runUntilComplete(async () => {
    const ts = Array.from({ length: 70 }, () => w.loop.createTask(() => sleep(1)))
    for (const t of ts) await t
  })
  // The second run's tasks are objects still (no delta carried them); the first run's are columns.
  const firstSeen = w.monitor.snapshot().tasks.map((t) => t.id)
  return { w, firstSeen }
}

describe('forget names the removed tasks in the order the monitor first saw them', () => {
  it('columns and objects together', async () => {
    const { w, firstSeen } = await mixed(false)
    // snapshot() flushed: make some objects again by running more before forgetting.
    await w.loop.runUntilComplete(async () => {
      for (let i = 0; i < 3; i++) await w.loop.createTask(() => sleep(1))
    })
    const all = [...firstSeen, ...w.monitor.snapshot().tasks.map((t) => t.id).filter((id) => !firstSeen.includes(id))]
    await w.loop.runUntilComplete(async () => void (await w.loop.createTask(() => sleep(1))))
    const expected = w.monitor.snapshot().tasks.map((t) => t.id)
    expect(expected.slice(0, all.length)).toEqual(all)
    await w.loop.runUntilComplete(async () => void (await w.loop.createTask(() => sleep(1)))) // objects, unflushed
    const before = [...expected]
    w.monitor.forget('run-1')
    w.monitor.flushNow()
    const removed = w.deltas.at(-1)!.removed
    expect(removed.slice(0, before.length)).toEqual(before)
    expect(removed.length).toBe(before.length + 2)
    expect([...removed].sort((a, b) => a - b)).toEqual(removed)
  })

  it('when a revived task is held out of id order among the objects', async () => {
    const w = watchedLoop()
    const early: number[] = []
    await w.loop.runUntilComplete(async () => {
      const ts = Array.from({ length: 150 }, (_, i) => w.loop.createTask(async () => void (await sleep(i % 5))))
      early.push(...ts.map((t) => t.id))
      for (const t of ts) await t
    })
    w.timers.advance(20) // carried and ended: columns
    const carried = [...w.view().keys()]
    let late: number[] = []
    await w.loop.runUntilComplete(async () => {
      const ts = Array.from({ length: 70 }, () => w.loop.createTask(() => sleep(1)))
      late = ts.map((t) => t.id)
      for (const t of ts) await t
    })
    // Objects now: the second run's (never carried), and an early task revived by a late line,
    // held after them (its page of ids made anew).
    w.monitor.log('run-1', { t: 0, line: 'late', taskId: early[3]!, taskName: null, stream: 'stdout' })
    w.monitor.forget('run-1')
    w.monitor.flushNow()
    const removed = w.deltas.at(-1)!.removed
    // Every task, in the order they were made (here: by id); the second run's main is among them.
    expect(removed).toHaveLength(carried.length + late.length + 1)
    expect(removed).toEqual([...removed].sort((a, b) => a - b))
    expect(new Set(removed)).toEqual(new Set([...carried, ...late, removed.find((id) => !carried.includes(id) && !late.includes(id))!]))
  })
})
