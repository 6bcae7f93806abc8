// A daemon's status follows its tasks: when the tasks that do its work have all ended on their own
// (cancelled from the window, failed), the daemon is no longer running, says why, announces it,
// and starts again.
import { describe, expect, it } from 'vitest'
import { VirtualClock } from '../../src/main/runtime'
import type { DaemonId, DaemonInfo, Daemons } from '../../src/main/daemons'
import { setup, until } from './helpers'

const infoOf = (daemons: Daemons, id: DaemonId): DaemonInfo => daemons.list().find((d) => d.id === id)!
const tasksNamed = (daemons: Daemons, re: RegExp) => [...daemons.loop.allTasks()].filter((t) => re.test(t.name))

describe('a daemon whose tasks all ended', () => {
  it('heartbeat: every worker cancelled from the window → not running, why given, announced, and it starts again', async () => {
    const { daemons } = setup({ clock: new VirtualClock() })
    const announced: DaemonInfo[][] = []
    daemons.onChange((list) => announced.push(list))
    await daemons.start('heartbeat', { workers: 2 })
    const workers = tasksNamed(daemons, /^worker-/)
    expect(workers).toHaveLength(2)

    workers[0]!.cancel('from the window')
    await until(() => workers[0]!.done(), 5000, 'worker-1 to end')
    // One of two cancelled: the daemon still runs its other worker.
    expect(infoOf(daemons, 'heartbeat')).toMatchObject({ running: true, ended: null })

    workers[1]!.cancel('from the window')
    await until(() => !infoOf(daemons, 'heartbeat').running, 5000, 'the daemon to read not running')
    expect(infoOf(daemons, 'heartbeat').ended).toEqual({
      by: 'tasks',
      why: 'all 2 tasks ended: 2 cancelled by user (from the window)',
      wall: expect.any(Number),
    })
    const last = announced.at(-1)!.find((d) => d.id === 'heartbeat')!
    expect(last).toMatchObject({ running: false, ended: { by: 'tasks' } })

    // Not "already running": a start works again, and the new run reads running with no end.
    const restarted = await daemons.start('heartbeat', { workers: 1 })
    expect(restarted).toMatchObject({ running: true, ended: null })
    expect(tasksNamed(daemons, /^worker-/).filter((t) => !t.done())).toHaveLength(1)
  })

  it('jobs: its workers all cancelled → the producer and progress tasks are stopped too, and it reads ended', async () => {
    const { daemons } = setup({ clock: new VirtualClock() })
    await daemons.start('jobs', { workers: 2, jobMs: 5, produceEveryMs: 2 })
    const workers = tasksNamed(daemons, /^job-worker-/)
    for (const w of workers) w.cancel('from the window')
    await until(() => !infoOf(daemons, 'jobs').running, 5000, 'the jobs daemon to read not running')
    expect(infoOf(daemons, 'jobs').ended).toMatchObject({ by: 'tasks', why: 'all 2 workers ended: 2 cancelled by user (from the window)' })
    expect([...daemons.loop.allTasks()].filter((t) => !t.done())).toEqual([])
    await expect(daemons.start('jobs', { workers: 1 })).resolves.toMatchObject({ running: true })
  })

  it('a stop says it was stopped; a restart clears that', async () => {
    const { daemons } = setup({ clock: new VirtualClock() })
    expect(infoOf(daemons, 'heartbeat').ended).toBeNull()
    await daemons.start('heartbeat', { workers: 1 })
    await daemons.stop('heartbeat', 100)
    expect(infoOf(daemons, 'heartbeat')).toMatchObject({ running: false, ended: { by: 'stop', why: 'stopped' } })
    await daemons.start('heartbeat', { workers: 1 })
    expect(infoOf(daemons, 'heartbeat').ended).toBeNull()
  })
})
