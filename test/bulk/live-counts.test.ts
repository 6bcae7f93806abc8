import { describe, expect, it } from 'vitest'
import { liveCounts } from '../../src/renderer/src/state/live-counts'
import { task } from '../renderer/helpers'

describe('the top bar counts', () => {
  it('count running tasks apart from waiting ones, and leave ended tasks out', () => {
    const tasks = [
      task({ state: 'running' }),
      ...Array.from({ length: 7 }, () => task({ state: 'waiting' })),
      task({ state: 'cancelling' }),
      task({ state: 'pending' }),
      task({ state: 'done' }),
      task({ state: 'cancelled' }),
    ]
    expect(liveCounts(tasks)).toEqual({ running: 1, waiting: 7, cancelling: 1, pending: 1, live: 10 })
  })

  it('leave out the tasks of a process that has ended (nothing runs them now)', () => {
    const tasks = [task({ state: 'waiting', loop: 'agent-1/main' }), task({ state: 'running', loop: 'agent-1/main' }), task({ state: 'waiting' })]
    expect(liveCounts(tasks, (t) => t.loop.startsWith('agent-1/'))).toEqual({ running: 0, waiting: 1, cancelling: 0, pending: 0, live: 1 })
  })
})
