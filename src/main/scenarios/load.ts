import * as v from 'valibot'
import { Event, type Future, Semaphore, type Task, createTask, sleep } from '../runtime/index'
import { type LoadFate, planTask } from './load-plan'
import { millis, paramsObject, seed } from './params'
import type { ScenarioContext, ScenarioDefinition } from './types'

/** The most tasks one load run creates, over its whole life (issue 13: up to a million). */
export const MAX_LOAD_TASKS = 1_000_000
/** The most of them alive at once: main creates the next only when one has ended. */
export const MAX_LOAD_LIVE = 100_000
export const MAX_LOAD_SLEEPS = 10_000

const typeMessage = (what: string) => (issue: v.BaseIssue<unknown>) => `must be ${what}, got ${issue.received}`
const count = (what: string, min: number, max: number, fallback: number) =>
  v.optional(
    v.pipe(
      v.number(typeMessage(`a whole number of ${what}`)),
      v.integer(`must be a whole number of ${what}`),
      v.minValue(min, `must be at least ${min}`),
      v.maxValue(max, `must be at most ${max}`),
    ),
    fallback,
  )
const fraction = v.optional(
  v.pipe(v.number(typeMessage('a fraction from 0 to 1')), v.finite('must be a finite fraction'), v.minValue(0, 'must be at least 0'), v.maxValue(1, 'must be at most 1')),
  0,
)

const params = v.pipe(
  paramsObject({
    tasks: count('tasks', 1, MAX_LOAD_TASKS, 1000),
    live: count('tasks', 1, MAX_LOAD_LIVE, 10_000),
    sleeps: count('sleeps', 0, MAX_LOAD_SLEEPS, 3),
    minSleep: millis(100),
    maxSleep: millis(1000),
    failFraction: fraction,
    cancelFraction: fraction,
    seed: seed(1),
  }),
  v.forward(v.check((p) => p.minSleep <= p.maxSleep, 'must not be below minSleep'), ['maxSleep']),
  v.forward(v.check((p) => p.failFraction + p.cancelFraction <= 1, 'failFraction + cancelFraction must be at most 1'), ['cancelFraction']),
)
type Params = v.InferOutput<typeof params>

/** A failure the plan asked for: what a crashing task of a real service would raise. */
export class PlannedFailure extends Error {
  override readonly name = 'PlannedFailure'
}

// The program is shown as the port's source (its own text, so it cannot drift from what runs).
async function program({ params, print, run, loop }: ScenarioContext<Params>): Promise<void> {
  const ended: Record<LoadFate, number> = { done: 0, failed: 0, cancelled: 0 }
  const slots = new Semaphore(params.live)
  const allEnded = new Event()
  // Planned cancels, bucketed by canceller tick: no per-task timer, no heap.
  const tick = Math.min(100, Math.max(1, params.minSleep))
  const cancelsDue = new Map<number, Task<unknown>[]>()
  const cancelPlanned = new Event()
  let plannedCancels = 0
  let created = 0
  let endedCount = 0

  function onEnd(t: Future<unknown>): void {
    // Reading the outcome retrieves a planned failure, so none is reported as "never retrieved".
    ended[t.cancelled() ? 'cancelled' : t.exception() !== null ? 'failed' : 'done']++
    slots.release()
    if (++endedCount === params.tasks) allEnded.set()
  }

  function spawn(index: number): void {
    const plan = planTask(params, index)
    const sleeper = async function sleeper(): Promise<void> {
      for (let s = 0; s < plan.sleepsBeforeEnd; s++) await sleep(plan.nextSleep())
      if (plan.fate === 'failed') throw new PlannedFailure(`task ${index} failed after ${plan.sleepsBeforeEnd} sleeps, as planned`)
    }
    const task = createTask(sleeper)
    task.addDoneCallback(onEnd)
    if (plan.cancelAfter !== null) {
      const due = Math.floor((loop.time() + plan.cancelAfter) / tick)
      const bucket = cancelsDue.get(due)
      if (bucket) bucket.push(task)
      else cancelsDue.set(due, [task])
      plannedCancels++
      cancelPlanned.set()
    }
  }

  async function canceller(): Promise<void> {
    let done = Math.floor(loop.time() / tick)
    while (created < params.tasks || plannedCancels > 0) {
      if (plannedCancels === 0) {
        cancelPlanned.clear()
        await cancelPlanned.wait()
        done = Math.floor(loop.time() / tick) - 1
        continue
      }
      await sleep(tick)
      const now = Math.floor(loop.time() / tick)
      for (let b = done + 1; b <= now; b++) {
        for (const task of cancelsDue.get(b) ?? []) {
          task.cancel('planned by the load scenario')
          plannedCancels--
        }
        cancelsDue.delete(b)
      }
      done = now
    }
  }

  async function main(): Promise<void> {
    print(`load: ${params.tasks} tasks, at most ${params.live} at once, ${params.sleeps} sleeps of ${params.minSleep}–${params.maxSleep} ms each`)
    if (params.cancelFraction > 0) createTask(canceller, { name: 'canceller' })
    while (created < params.tasks) {
      await slots.acquire()
      spawn(created++)
    }
    cancelPlanned.set()
    await allEnded.wait()
    print(`load: ${ended.done} done, ${ended.failed} failed, ${ended.cancelled} cancelled`)
  }

  await run(main)
}

/**
 * `load`: not a course program but the course's way to make load (issue 13): N tasks, each doing k
 * sleeps of seeded random length, a fraction failing and a fraction cancelled by a `canceller` task.
 */
export const load: ScenarioDefinition<Params> = {
  id: 'load',
  title: 'load: many tasks of random sleeps',
  section: 'Нагрузка (не из курса)',
  description:
    'Not from the course: makes load. `tasks` tasks (up to 1,000,000), at most `live` alive at once ' +
    '(main creates the next when one ends), each doing `sleeps` sleeps of a random length in ' +
    '[minSleep, maxSleep] ms. A `failFraction` of them raise PlannedFailure after some of their ' +
    'sleeps; a `cancelFraction` are cancelled by the canceller task at a random moment of their life ' +
    '(cancel source: program by canceller). The same seed makes the same run. Every sleeper runs the ' +
    'coroutine function `sleeper` under the default name Task-N.',
  courseSource: [
    '# Not a course program: the same load in plain asyncio.',
    'import asyncio, random',
    '',
    'async def sleeper(k, lo, hi):',
    '    for _ in range(k):',
    '        await asyncio.sleep(random.uniform(lo, hi) / 1000)',
    '',
    'async def main(n=1000, live=10_000, k=3, lo=100, hi=1000):',
    '    slots = asyncio.Semaphore(live)',
    '    async def one():',
    '        async with slots:',
    '            await sleeper(k, lo, hi)',
    '    await asyncio.gather(*(one() for _ in range(n)))',
    '',
    'asyncio.run(main())',
  ].join('\n'),
  courseOutput: null,
  portSource: program.toString(),
  params,
  defaults: v.parse(params, {}),
  run: program,
}
