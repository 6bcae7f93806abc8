import { describe, expect, it } from 'vitest'
import { sleep, VirtualClock } from '../../src/main/runtime'
import { DaemonError } from '../../src/main/daemons'
import type { DaemonInfo } from '../../src/main/daemons'
import { setup } from './helpers'

async function refusal(p: Promise<unknown>): Promise<DaemonError> {
  const error = await p.then(() => null, (e: unknown) => e)
  expect(error).toBeInstanceOf(DaemonError)
  return error as DaemonError
}

describe('daemons host', () => {
  it('lists every daemon, stopped, with the config its next start uses', () => {
    const { daemons } = setup({ clock: new VirtualClock() })
    expect(daemons.list()).toEqual([
      expect.objectContaining({ id: 'stats', running: false, config: { intervalMs: 60_000 }, rate: null }),
      expect.objectContaining({ id: 'heartbeat', running: false, config: { workers: 3, intervalMs: 1000 } }),
      expect.objectContaining({ id: 'jobs', running: false, config: expect.objectContaining({ workers: 4, queueSize: 100 }) }),
    ])
    expect(daemons.list().every((d) => d.title.length > 0 && d.description.length > 0)).toBe(true)
  })

  it('a bad config is refused naming the field, and nothing starts', async () => {
    const { daemons } = setup({ clock: new VirtualClock() })

    const zero = await refusal(daemons.start('heartbeat', { workers: 0 }))
    const unknownKey = await refusal(daemons.start('jobs', { wrokers: 2 }))
    const notObject = await refusal(daemons.start('stats', 'fast'))

    expect(zero.code).toBe('invalid-config')
    expect(zero.issues.map((i) => i.path)).toEqual(['workers'])
    expect(unknownKey.issues.map((i) => i.path)).toEqual(['wrokers'])
    expect(notObject.code).toBe('invalid-config')
    expect(daemons.list().some((d) => d.running)).toBe(false)
    expect(daemons.loop.allTasks().size).toBe(0)
    expect(daemons.collectorUrl()).toBeNull()
  })

  it('refuses an unknown daemon and a second start, and a stop of a stopped daemon is a no-op report', async () => {
    const { daemons } = setup({ clock: new VirtualClock({ autojump: false }) })
    expect((await refusal(daemons.start('nope' as 'stats'))).code).toBe('unknown-daemon')

    await daemons.start('heartbeat', { workers: 1 })
    expect((await refusal(daemons.start('heartbeat'))).code).toBe('already-running')
    expect(daemons.loop.allTasks().size).toBe(1)

    expect(await daemons.stop('jobs')).toMatchObject({ id: 'jobs', wasRunning: false, finished: [], forced: [] })
  })

  it('daemons start and stop independently, and every change is announced', async () => {
    const { daemons } = setup({ clock: new VirtualClock({ autojump: false }) })
    const seen: string[] = []
    daemons.onChange((list: DaemonInfo[]) => seen.push(list.filter((d) => d.running).map((d) => d.id).join('+') || '-'))

    await daemons.start('heartbeat', { workers: 2 })
    await daemons.start('jobs', { workers: 1 })
    await daemons.stop('heartbeat')
    expect([...daemons.loop.allTasks()].map((t) => t.name)).toEqual(['jobs-producer', 'job-worker-1', 'jobs-progress'])
    await daemons.stop('jobs')

    expect(seen).toEqual(['heartbeat', 'heartbeat+jobs', 'jobs', '-'])
  })

  it('shutdown stops every running daemon and anything else on the loop, closes the loop and the collector, and refuses later starts', async () => {
    const { daemons } = setup({ clock: new VirtualClock({ autojump: false }) })
    await daemons.start('heartbeat', { workers: 2 })
    await daemons.start('stats')
    const stray = daemons.loop.createTask(async () => {
      await sleep(3_600_000)
    }, { name: 'stray' })
    const url = daemons.collectorUrl()!

    const report = await daemons.shutdown(500)

    expect(report.daemons.map((r) => [r.id, r.finished.length, r.forced.length])).toEqual([
      ['stats', 1, 0],
      ['heartbeat', 2, 0],
    ])
    expect(report.others.forced).toEqual([])
    expect(report.others.finished).toEqual([{ id: stray.id, name: 'stray', state: 'cancelled' }])
    expect(daemons.loop.isClosed()).toBe(true)
    await expect(fetch(`${url}/samples`)).rejects.toThrow()
    expect((await refusal(daemons.start('heartbeat'))).code).toBe('shut-down')
  })
})
