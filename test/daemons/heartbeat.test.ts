import { describe, expect, it } from 'vitest'
import { VirtualClock } from '../../src/main/runtime'
import type { DaemonLog } from '../../src/main/daemons'
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
    const { daemons } = setup({ clock: new VirtualClock({ autojump: false }) })
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
})
