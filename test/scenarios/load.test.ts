import { describe, expect, it } from 'vitest'
import type { Instrument, Task } from '../../src/main/runtime/index'
import { createScenarioRun, getScenario, parseParams } from '../../src/main/scenarios/index'
import { MAX_LOAD_TASKS } from '../../src/main/scenarios/load'
import type { ScenarioRecord } from '../../src/main/scenarios/types'
import { tempDir } from './helpers'

const load = () => getScenario('load')!

interface Seen {
  records: ScenarioRecord[]
  /** Every sleeper task (coroutine function `sleeper`), in creation order. */
  sleepers: Task<unknown>[]
  /** Most sleepers alive at one moment. */
  peakLive: number
  /** How often each sleeper was resumed from a wait (its sleeps, one per resume). */
  waits: Map<number, number>
  outcome: string
  elapsed: number
}

/** Runs `load` on the virtual clock, watching its tasks through an instrument. */
async function runLoad(params: Record<string, unknown>): Promise<Seen> {
  const dir = tempDir()
  const sleepers: Task<unknown>[] = []
  const waits = new Map<number, number>()
  let live = 0
  let peakLive = 0
  const isSleeper = (t: Task<unknown>) => waits.has(t.id)
  const instrument: Instrument = {
    taskCreated(t) {
      if (t.name === 'main' || t.name === 'canceller') return
      sleepers.push(t)
      waits.set(t.id, 0)
      peakLive = Math.max(peakLive, ++live)
    },
    taskStateChanged(t, from, to) {
      if (isSleeper(t) && from === 'waiting' && to === 'running') waits.set(t.id, waits.get(t.id)! + 1)
    },
    taskDone(t) {
      if (isSleeper(t)) live--
    },
  }
  try {
    const run = createScenarioRun(load(), params, { clock: 'virtual', outDir: dir.path, instruments: [instrument] })
    const records: ScenarioRecord[] = []
    run.onRecord((r) => records.push(r))
    const result = await run.start()
    return { records, sleepers, peakLive, waits, outcome: result.outcome, elapsed: result.elapsed }
  } finally {
    dir.remove()
  }
}

const summary = (seen: Seen) => seen.records.at(-1)!.line

describe('the load scenario', () => {
  it('runs N tasks, each resuming from exactly k sleeps, and reports them all done', async () => {
    const seen = await runLoad({ tasks: 500, sleeps: 4, minSleep: 10, maxSleep: 50 })
    expect(seen.outcome).toBe('done')
    expect(seen.sleepers).toHaveLength(500)
    expect(seen.sleepers.every((t) => t.state === 'done')).toBe(true)
    expect([...seen.waits.values()].every((n) => n === 4)).toBe(true)
    expect(summary(seen)).toBe('load: 500 done, 0 failed, 0 cancelled')
  })

  it('keeps at most `live` tasks alive at once, and still creates all of them', async () => {
    const seen = await runLoad({ tasks: 300, live: 25, sleeps: 2, minSleep: 5, maxSleep: 20 })
    expect(seen.peakLive).toBe(25)
    expect(seen.sleepers).toHaveLength(300)
  })

  it('draws sleeps from its seed: the same seed repeats the run, another seed changes it', async () => {
    const shape = { tasks: 200, sleeps: 3, minSleep: 0, maxSleep: 1000, failFraction: 0.2, cancelFraction: 0.2 }
    const a = await runLoad({ ...shape, seed: 7 })
    const b = await runLoad({ ...shape, seed: 7 })
    const c = await runLoad({ ...shape, seed: 8 })
    const fates = (s: Seen) => s.sleepers.map((t) => t.state).join()
    expect(b.elapsed).toBe(a.elapsed)
    expect(fates(b)).toBe(fates(a))
    expect(summary(b)).toBe(summary(a))
    expect(`${c.elapsed} ${fates(c)}`).not.toBe(`${a.elapsed} ${fates(a)}`)
  })

  it('fails and cancels about the fractions asked, and its summary counts the tasks as they ended', async () => {
    const seen = await runLoad({ tasks: 2000, sleeps: 3, minSleep: 10, maxSleep: 100, failFraction: 0.1, cancelFraction: 0.25 })
    const by = (state: string) => seen.sleepers.filter((t) => t.state === state).length
    // Binomial(2000, p): ± 5 standard deviations.
    expect(Math.abs(by('failed') - 200)).toBeLessThan(5 * Math.sqrt(2000 * 0.1 * 0.9))
    expect(Math.abs(by('cancelled') - 500)).toBeLessThan(5 * Math.sqrt(2000 * 0.25 * 0.75))
    expect(summary(seen)).toBe(`load: ${by('done')} done, ${by('failed')} failed, ${by('cancelled')} cancelled`)
    expect(by('done') + by('failed') + by('cancelled')).toBe(2000)
  })

  it('cancels through the canceller task (source program), and retrieves every planned failure', async () => {
    const seen = await runLoad({ tasks: 300, sleeps: 2, minSleep: 10, maxSleep: 100, failFraction: 0.3, cancelFraction: 0.3 })
    const cancelled = seen.sleepers.filter((t) => t.state === 'cancelled')
    expect(cancelled.length).toBeGreaterThan(0)
    for (const t of cancelled) expect(t.cancelRequest()).toMatchObject({ source: 'program', by: { name: 'canceller' }, reason: 'planned by the load scenario' })
    const failed = seen.sleepers.filter((t) => t.state === 'failed')
    expect(failed.length).toBeGreaterThan(0)
    expect((failed[0]!.exception() as Error).name).toBe('PlannedFailure')
    expect(seen.records.filter((r) => r.stream === 'stderr')).toEqual([])
  })

  it('runs tasks of the coroutine function `sleeper` under their default names', async () => {
    const seen = await runLoad({ tasks: 3, sleeps: 1 })
    expect(seen.sleepers.map((t) => t.name)).toEqual(seen.sleepers.map((t) => `Task-${t.id}`))
  })

  it('takes up to a million tasks and refuses more, naming the field', () => {
    expect(parseParams(load(), { tasks: MAX_LOAD_TASKS }).ok).toBe(true)
    expect(parseParams(load(), { tasks: MAX_LOAD_TASKS + 1 })).toEqual({ ok: false, issues: [{ path: 'tasks', message: 'must be at most 1000000' }] })
    expect(parseParams(load(), { tasks: 2.5 })).toEqual({ ok: false, issues: [{ path: 'tasks', message: 'must be a whole number of tasks' }] })
  })

  it('refuses a maxSleep below minSleep and fractions that add up past 1', () => {
    expect(parseParams(load(), { minSleep: 500, maxSleep: 100 })).toEqual({ ok: false, issues: [{ path: 'maxSleep', message: 'must not be below minSleep' }] })
    expect(parseParams(load(), { failFraction: 0.6, cancelFraction: 0.6 })).toEqual({
      ok: false,
      issues: [{ path: 'cancelFraction', message: 'failFraction + cancelFraction must be at most 1' }],
    })
    const tooMuch = parseParams(load(), { failFraction: 1.5 })
    expect(tooMuch.ok ? [] : tooMuch.issues[0]).toEqual({ path: 'failFraction', message: 'must be at most 1' })
  })
})

describe('the delay lists of scenarios whose delays are tasks', () => {
  it('take more than 100 delays where each delay is a task of its own (gather, wait)', async () => {
    const delays = Array.from({ length: 500 }, (_, i) => i)
    for (const id of ['gather-random-sleep', 'wait-all-completed', 'wait-first-completed']) {
      expect(parseParams(getScenario(id)!, { delays }).ok).toBe(true)
    }
    expect(parseParams(getScenario('async-iterator')!, { people: ['A'], delays }).ok).toBe(false)
  })
})
