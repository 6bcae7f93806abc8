import * as v from 'valibot'
import { createTask, gather, sleep } from '../runtime/index'
import { millis, paramsObject } from './params'
import type { ScenarioContext, ScenarioDefinition } from './types'

const rounds = (fallback: number) =>
  v.optional(
    v.pipe(v.number('must be a whole number'), v.integer('must be a whole number'), v.minValue(1, 'must be at least 1'), v.maxValue(10_000, 'must be at most 10000')),
    fallback,
  )

const params = paramsObject({
  /** How long each synchronous block holds the loop (real ms, busy-waited). */
  blockMs: v.optional(v.pipe(v.number('must be a number of milliseconds'), v.finite(), v.minValue(0), v.maxValue(2_000, 'must be at most 2000 ms')), 60),
  /** Sleeps between two blocks. */
  every: rounds(3),
  sleepMs: millis(100),
  /** Blocks the blocker makes before it ends. */
  blocks: rounds(10),
  /** Well-behaved workers beside it (each sleeps and does a little work per round). */
  workers: rounds(4),
})
type Params = v.InferOutput<typeof params>

// The program is shown as the port's source (its own text, so it cannot drift from what runs).
async function program({ params, print, run }: ScenarioContext<Params>): Promise<void> {
  /** A synchronous busy loop of `ms` real milliseconds: nothing else on the loop runs meanwhile. */
  function crunch(ms: number): number {
    const end = performance.now() + ms
    let spins = 0
    while (performance.now() < end) spins++
    return spins
  }

  async function blocker(): Promise<void> {
    for (let b = 1; b <= params.blocks; b++) {
      for (let s = 0; s < params.every; s++) await sleep(params.sleepMs)
      crunch(params.blockMs)
      print(`blocker: block ${b} of ${params.blocks} held the loop ${params.blockMs} ms`)
    }
  }

  async function worker(n: number): Promise<void> {
    const total = params.blocks * params.every
    for (let r = 0; r < total; r++) await sleep(params.sleepMs / 2 + n)
  }

  async function main(): Promise<void> {
    print(`blocking: one task blocks the loop ${params.blockMs} ms every ${params.every} sleeps, ${params.blocks} times, beside ${params.workers} workers`)
    const tasks = [createTask(blocker, { name: 'blocker' })]
    for (let n = 1; n <= params.workers; n++) tasks.push(createTask(() => worker(n), { name: `worker-${n}` }))
    await gather(tasks)
    print('blocking: done')
  }

  await run(main)
}

/**
 * `blocking`: not a course program; demonstrates loop blocking (issue 11 §1). A `blocker` task
 * runs a synchronous busy loop of `blockMs` real ms after every `every` sleeps, among well-behaved
 * `worker-N` tasks: each of its blocks is a slow step, and the workers' ready-queue waits grow.
 */
export const blocking: ScenarioDefinition<Params> = {
  id: 'blocking',
  title: 'blocking: a task that holds the loop',
  section: 'Нагрузка (не из курса)',
  description:
    'Not from the course: a `blocker` task runs a synchronous busy loop of `blockMs` real ms after every ' +
    '`every` sleeps of `sleepMs`, `blocks` times, beside `workers` well-behaved tasks that only sleep. ' +
    'Each block is one step longer than the slow-step threshold: the Slow steps tab lists it with the ' +
    'await it resumed from and the one it parked on, and the workers\' scheduled time grows while it runs. ' +
    'Step times are real (performance.now()): on the virtual clock a block takes no loop time but still holds the process.',
  courseSource: [
    '# Not a course program: the same blocking in plain asyncio (asyncio debug mode would warn:',
    '# "Executing <Task ...> took 0.060 seconds").',
    'import asyncio, time',
    '',
    'async def blocker(block=0.06, every=3, sleep=0.1, blocks=10):',
    '    for _ in range(blocks):',
    '        for _ in range(every):',
    '            await asyncio.sleep(sleep)',
    '        end = time.perf_counter() + block',
    '        while time.perf_counter() < end:',
    '            pass',
    '',
    'async def worker(n, rounds=30, sleep=0.1):',
    '    for _ in range(rounds):',
    '        await asyncio.sleep(sleep / 2 + n / 1000)',
    '',
    'async def main():',
    '    await asyncio.gather(blocker(), *(worker(n) for n in range(1, 5)))',
    '',
    'asyncio.run(main())',
  ].join('\n'),
  courseOutput: null,
  portSource: program.toString(),
  params,
  defaults: v.parse(params, {}),
  run: program,
}
