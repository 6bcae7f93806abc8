import { describe, expect, it } from 'vitest'
import type { DaemonInfo, JobsProgress, StatsSample } from '../../src/shared/snapshots'
import { TASK_STATES } from '../../src/shared/snapshots'
import {
  DaemonsState,
  MAX_SAMPLES,
  daemonActivity,
  daemonOfTask,
  daemonStateLabel,
  delayColumns,
  formatUptime,
  jobCountColumns,
  pushBounded,
  withGaps,
  taskStateColumns,
  throughputColumns,
} from '../../src/renderer/src/state/daemons.svelte'
import type { LoopwatchApi } from '../../src/shared/contract'
import { task } from './helpers'

function sample(wall: number, over: Partial<StatsSample> = {}): StatsSample {
  return {
    wall,
    loopDelayMs: { mean: 1, p50: 0.5, p99: 2, max: 4 },
    tasks: { running: 1, waiting: 3 },
    memory: { rssMb: 120, heapUsedMb: 40 },
    cpuPercent: 7,
    extra: {},
    ...over,
  }
}

function progress(wall: number, perSecond: number, done: number): JobsProgress {
  return { wall, done, failed: 1, queued: 2, pending: 5, perSecond }
}

function daemon(id: DaemonInfo['id'], running: boolean): DaemonInfo {
  return { id, title: id, description: '', running, ended: null, config: { intervalMs: 1000 }, rate: null }
}

describe('daemon chart data', () => {
  it('keeps only the newest samples once the ring is full', () => {
    const state = new DaemonsState(() => null)
    for (let i = 0; i < MAX_SAMPLES + 25; i++) state.addSample(sample(i * 1000))
    expect(state.samples).toHaveLength(MAX_SAMPLES)
    expect(state.samples[0]?.wall).toBe(25_000)
    expect(state.latestSample?.wall).toBe((MAX_SAMPLES + 24) * 1000)
  })

  it('pushBounded returns a new array and leaves the old one untouched', () => {
    const old = [1, 2, 3]
    expect(pushBounded(old, 4, 3)).toEqual([2, 3, 4])
    expect(old).toEqual([1, 2, 3])
  })

  it('puts wall-clock seconds on x and one unit per chart on y', () => {
    const samples = [sample(1_000), sample(2_500, { loopDelayMs: { mean: 2, p50: 1, p99: 9, max: 12 } })]
    expect(delayColumns(samples)).toEqual([
      [1, 2.5],
      [0.5, 1],
      [2, 9],
      [4, 12],
    ])
  })

  it('charts every task state, counting a state the sample omits as zero', () => {
    const cols = taskStateColumns([sample(1_000)])
    expect(cols).toHaveLength(1 + TASK_STATES.length)
    expect(cols[1 + TASK_STATES.indexOf('waiting')]).toEqual([3])
    expect(cols[1 + TASK_STATES.indexOf('failed')]).toEqual([0])
  })

  it('charts job throughput apart from the jobs counters', () => {
    const list = [progress(1_000, 0, 0), progress(2_000, 12.5, 13)]
    expect(throughputColumns(list)).toEqual([[1, 2], [0, 12.5]])
    expect(jobCountColumns(list)).toEqual([[1, 2], [0, 13], [1, 1], [5, 5]])
  })
})

describe('chart gaps', () => {
  it('breaks the line where reports paused for more than three usual intervals', () => {
    expect(withGaps([[0, 1, 2, 10, 11], [5, 6, 7, 0, 1]])).toEqual([
      [0, 1, 2, 6, 10, 11],
      [5, 6, 7, null, 0, 1],
    ])
  })

  it('leaves evenly spaced reports alone', () => {
    const cols: [number[], number[]] = [[0, 1, 2, 3], [4, 3, 2, 1]]
    expect(withGaps(cols)).toEqual(cols)
  })

  it('breaks the jobs counters across a restart of the job workers', () => {
    const list = [progress(1_000, 5, 5), progress(2_000, 5, 10), progress(3_000, 5, 15), progress(60_000, 5, 5)]
    const [x, done] = jobCountColumns(list)
    expect(done).toEqual([5, 10, 15, null, 5])
    expect(x).toHaveLength(5)
  })
})

describe('daemon activity', () => {
  it('assigns daemons-loop tasks to their daemon by name and ignores run tasks', () => {
    expect(daemonOfTask({ loop: 'daemons', name: 'stats-daemon' })).toBe('stats')
    expect(daemonOfTask({ loop: 'daemons', name: 'job-worker-3' })).toBe('jobs')
    expect(daemonOfTask({ loop: 'daemons', name: 'jobs-producer' })).toBe('jobs')
    expect(daemonOfTask({ loop: 'daemons', name: 'worker-2' })).toBe('heartbeat')
    expect(daemonOfTask({ loop: 'run-1', name: 'worker-2' })).toBeNull()
  })

  it('lists a daemon’s unfinished tasks and counts all of its states', () => {
    const a = daemonActivity([
      task({ loop: 'daemons', name: 'worker-1', state: 'waiting', at: 50 }),
      task({ loop: 'daemons', name: 'worker-2', state: 'cancelled', at: 10, ended: 60 }),
      task({ loop: 'daemons', name: 'worker-3', state: 'running', at: 20 }),
      task({ loop: 'run-1', name: 'worker-1', state: 'running' }),
    ])
    expect(a.heartbeat.live.map((t) => t.name)).toEqual(['worker-1', 'worker-3'])
    expect(a.heartbeat.counts).toEqual({ waiting: 1, cancelled: 1, running: 1 })
    expect(a.heartbeat.since).toBe(1_700_000_000_000 + 20)
    expect(a.stats).toEqual({ live: [], counts: {}, since: null })
  })
})

describe('daemon start times', () => {
  it('notes when a daemon turns on and forgets it when it turns off', () => {
    let now = 5_000
    const state = new DaemonsState(() => null, () => now)
    state.setList([daemon('stats', false), daemon('jobs', true)])
    expect(state.startedWall).toEqual({})
    now = 7_000
    state.setList([daemon('stats', true), daemon('jobs', true)])
    expect(state.startedWall).toEqual({ stats: 7_000 })
    now = 9_000
    state.setList([daemon('stats', true), daemon('jobs', true)])
    expect(state.startedWall.stats).toBe(7_000)
    state.setList([daemon('stats', false), daemon('jobs', true)])
    expect(state.startedWall).toEqual({})
  })

  it('formats uptime in the largest two units', () => {
    expect(formatUptime(4_200)).toBe('4 s')
    expect(formatUptime(192_000)).toBe('3 m 12 s')
    expect(formatUptime(3_780_000)).toBe('1 h 03 m')
    expect(formatUptime(-5)).toBe('0 s')
  })
})

describe('daemon state label', () => {
  it('reads ended (not off) when its tasks all ended on their own, off after a stop, on while running', () => {
    const ended = { by: 'tasks' as const, why: 'all 2 tasks ended: 2 cancelled by user', wall: 1 }
    expect(daemonStateLabel({ running: false, ended }, false)).toBe('ended')
    expect(daemonStateLabel({ running: false, ended: { by: 'stop', why: 'stopped', wall: 1 } }, false)).toBe('off')
    expect(daemonStateLabel({ running: false, ended: null }, false)).toBe('off')
    expect(daemonStateLabel({ running: true, ended: null }, false)).toBe('on')
    expect(daemonStateLabel({ running: true, ended: null }, true)).toBe('stopping…')
    expect(daemonStateLabel({ running: false, ended }, true)).toBe('starting…')
  })
})

describe('daemon switch', () => {
  function fakeApi(calls: unknown[][]): LoopwatchApi {
    const invoke = async (channel: string, payload: { id: DaemonInfo['id']; config?: Record<string, unknown> }) => {
      calls.push([channel, payload])
      return { ok: true, value: { ...daemon(payload.id, true), config: payload.config ?? {} } }
    }
    return { invoke } as unknown as LoopwatchApi
  }

  it('starts a daemon with the config the list shows when nothing was edited', async () => {
    const calls: unknown[][] = []
    const api = fakeApi(calls)
    const state = new DaemonsState(() => api)
    state.setList([{ ...daemon('stats', false), config: { intervalMs: 200 } }])
    await state.toggle('stats')
    expect(calls).toEqual([['daemon:start', { id: 'stats', config: { intervalMs: 200 } }]])
    expect(state.list[0]?.running).toBe(true)
  })

  it('starts a daemon with edited settings as numbers where the config has numbers', async () => {
    const calls: unknown[][] = []
    const api = fakeApi(calls)
    const state = new DaemonsState(() => api)
    const d = { ...daemon('stats', false), config: { intervalMs: 1000 } }
    state.setList([d])
    state.setDraft(d, 'intervalMs', '250')
    await state.toggle('stats')
    expect(calls).toEqual([['daemon:start', { id: 'stats', config: { intervalMs: 250 } }]])
  })
})
