import { describe, expect, it } from 'vitest'
import { VirtualClock } from '../../src/main/runtime'
import type { DaemonLog } from '../../src/main/daemons'
import { HEARTBEAT_CLEANUP_MS } from '../../src/main/daemons/heartbeat'
import { setup, until } from './helpers'

describe('heartbeat workers', () => {
  it('each worker logs a heartbeat every interval of the daemons clock', async () => {
    const clock = new VirtualClock({ autojump: false })
    const { daemons } = setup({ clock })
    const logs: DaemonLog[] = []
    daemons.onLog((l) => logs.push(l))

    await daemons.start('heartbeat', { workers: 2 })
    await until(() => logs.length === 2, 5000, 'the first beats')
    clock.advance(1000)
    await until(() => logs.length === 4, 5000, 'the second beats')
    clock.advance(999)
    await new Promise((resolve) => setTimeout(resolve, 20))
    expect(logs).toHaveLength(4) // not yet: the next beat is due at 2000
    clock.advance(1)
    await until(() => logs.length === 6, 5000, 'the third beats')

    expect(logs.map((l) => [l.t, l.taskName, l.line])).toEqual([
      [0, 'worker-1', 'worker-1 heartbeat'],
      [0, 'worker-2', 'worker-2 heartbeat'],
      [1000, 'worker-1', 'worker-1 heartbeat'],
      [1000, 'worker-2', 'worker-2 heartbeat'],
      [2000, 'worker-1', 'worker-1 heartbeat'],
      [2000, 'worker-2', 'worker-2 heartbeat'],
    ])
    expect(new Set(logs.map((l) => l.taskId)).size).toBe(2)
    expect(logs.every((l) => l.daemon === 'heartbeat' && l.stream === 'stdout')).toBe(true)
  })

  it('stopping cancels every worker and reports each one finished, cancelled', async () => {
    const { daemons } = setup({ clock: new VirtualClock() })
    await daemons.start('heartbeat', { workers: 3 })
    const names = [...daemons.loop.allTasks()].map((t) => t.name)
    expect(names).toEqual(['worker-1', 'worker-2', 'worker-3'])

    const report = await daemons.stop('heartbeat', 1000)

    expect(report).toMatchObject({ id: 'heartbeat', wasRunning: true, forced: [], cleanupErrors: [] })
    expect(report.finished.map((t) => [t.name, t.state])).toEqual([
      ['worker-1', 'cancelled'],
      ['worker-2', 'cancelled'],
      ['worker-3', 'cancelled'],
    ])
    expect(daemons.loop.allTasks().size).toBe(0)
    expect(daemons.list().find((d) => d.id === 'heartbeat')?.running).toBe(false)
  })

  it('a worker cancelled by the user says who stopped it and why, cleans up on the loop clock, then ends cancelled', async () => {
    const clock = new VirtualClock({ autojump: false })
    const { daemons } = setup({ clock })
    const logs: DaemonLog[] = []
    daemons.onLog((l) => logs.push(l))
    await daemons.start('heartbeat', { workers: 2, intervalMs: 1000 })
    await until(() => logs.length === 2, 5000, 'the first beats')
    const worker2 = [...daemons.loop.allTasks()].find((t) => t.name === 'worker-2')!

    clock.advance(300)
    worker2.cancel('e2e says stop')
    await until(() => logs.length === 3, 5000, 'the stopping line')
    expect(logs[2]).toMatchObject({ t: 300, taskName: 'worker-2', line: 'worker-2 stopping (cancelled by user: e2e says stop)' })
    // Cleanup is under way: the task stays cancelling until its cleanup step's time has passed.
    expect(worker2.state).toBe('cancelling')
    clock.advance(HEARTBEAT_CLEANUP_MS - 1)
    await new Promise((resolve) => setTimeout(resolve, 20))
    expect(worker2.state).toBe('cancelling')
    clock.advance(1)
    await until(() => worker2.done(), 5000, 'worker-2 to finish')

    expect(worker2.state).toBe('cancelled')
    expect(worker2.cancelRequest()).toMatchObject({ source: 'user', reason: 'e2e says stop' })
    expect(logs.slice(3).map((l) => [l.t, l.line])).toEqual([[300 + HEARTBEAT_CLEANUP_MS, 'worker-2 stopped']])
    // The other worker keeps beating.
    clock.advance(1000 - 300 - HEARTBEAT_CLEANUP_MS)
    await until(() => logs.some((l) => l.t === 1000 && l.taskName === 'worker-1'), 5000, 'worker-1 beat')
    expect(logs.some((l) => l.t === 1000 && l.taskName === 'worker-2')).toBe(false)
  })

  it('a worker whose cleanup is cancelled again ends cancelled without its stopped line', async () => {
    const clock = new VirtualClock({ autojump: false })
    const { daemons } = setup({ clock })
    const logs: DaemonLog[] = []
    daemons.onLog((l) => logs.push(l))
    await daemons.start('heartbeat', { workers: 1 })
    await until(() => logs.length === 1, 5000, 'the first beat')
    const worker = [...daemons.loop.allTasks()][0]!
    worker.cancel('first')
    await until(() => logs.length === 2, 5000, 'the stopping line')
    worker.cancel('second')
    await until(() => worker.done(), 5000, 'the worker to finish')

    expect(worker.state).toBe('cancelled')
    expect(logs.map((l) => l.line)).toEqual(['worker-1 heartbeat', 'worker-1 stopping (cancelled by user: first)'])
  })
})
