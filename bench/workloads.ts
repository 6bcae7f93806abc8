/**
 * The scheduler workloads W1–W6 of issue 13, each the same program as its twin in asyncio_bench.py
 * (CPython) and in raw-promises.ts (no scheduler). They run on the real clock, as a program does:
 * only W5 waits for time, the others never let a timer come due.
 */
import { Event, Queue, createTask, gather, run, sleep, waitFor } from '../src/main/runtime/index'

export interface Workload {
  /** W1 … W6 */
  id: string
  name: string
  /** operations counted for ns/op */
  ops: number
  /** Resolves with the figure to report in ms when that is not the elapsed time (W5: time beyond 50 ms). */
  run(): Promise<number | void>
}

/** W5's sleeps are spread over this span; it reports the time taken beyond it. */
export const SPREAD_MS = 50

export const W1_TASKS = 100_000
export const W2_TASKS = 10_000
export const W2_SLEEPS = 100
export const W3_TASKS = 100_000
export const W4_ITEMS = 1_000_000
export const W4_MAXSIZE = 1000
export const W4_CONSUMERS = 4
export const W5_SLEEPS = 100_000
export const W6_CALLS = 100_000
/** W6's timeout: never reached. */
export const W6_TIMEOUT_MS = 60_000

/** `tasks` tasks each doing `sleeps` × sleep(0), gathered: W2, and the flat-cost line's two shapes. */
export function switches(tasks: number, sleeps: number): Promise<void> {
  return run(async () => {
    const worker = async (): Promise<void> => {
      for (let i = 0; i < sleeps; i++) await sleep(0)
    }
    await gather(Array.from({ length: tasks }, () => createTask(worker)))
  })
}

export const workloads: Workload[] = [
  {
    id: 'W1',
    name: 'W1 100k tasks × one sleep(0), gathered',
    ops: W1_TASKS,
    run: () =>
      run(async () => {
        const one = async (): Promise<void> => {
          await sleep(0)
        }
        await gather(Array.from({ length: W1_TASKS }, () => createTask(one)))
      }),
  },
  {
    id: 'W2',
    name: 'W2 10k tasks × 100 sleep(0)',
    ops: W2_TASKS * W2_SLEEPS,
    run: () => switches(W2_TASKS, W2_SLEEPS),
  },
  {
    id: 'W3',
    name: 'W3 100k tasks on one Event, all cancelled',
    ops: W3_TASKS,
    run: () =>
      run(async () => {
        const ev = new Event()
        const ts = Array.from({ length: W3_TASKS }, () => createTask(() => ev.wait()))
        await sleep(0) // every task starts and blocks on the event
        for (const t of ts) t.cancel()
        await gather(ts, { returnExceptions: true })
      }),
  },
  {
    id: 'W4',
    name: 'W4 Queue(1000), 1 producer, 4 consumers, 1M items',
    ops: W4_ITEMS,
    run: () =>
      run(async () => {
        const q = new Queue<number>(W4_MAXSIZE)
        const consumers = Array.from({ length: W4_CONSUMERS }, () =>
          createTask(async () => {
            for (;;) {
              await q.get()
              q.taskDone()
            }
          }),
        )
        for (let i = 0; i < W4_ITEMS; i++) await q.put(i)
        await q.join()
        for (const c of consumers) c.cancel()
        await gather(consumers, { returnExceptions: true })
      }),
  },
  {
    id: 'W5',
    name: 'W5 100k sleeps over 0–50 ms (ms beyond 50)',
    ops: W5_SLEEPS,
    run: async () => {
      const t0 = performance.now()
      await run(async () => {
        const one = (i: number) => async (): Promise<void> => {
          await sleep((SPREAD_MS * i) / W5_SLEEPS)
        }
        await gather(Array.from({ length: W5_SLEEPS }, (_, i) => createTask(one(i))))
      })
      return performance.now() - t0 - SPREAD_MS
    },
  },
  {
    id: 'W6',
    name: 'W6 100k waitFor(quick(), 60 s)',
    ops: W6_CALLS,
    run: () =>
      run(async () => {
        const quick = async (): Promise<number> => {
          await sleep(0)
          return 1
        }
        for (let i = 0; i < W6_CALLS; i++) await waitFor(quick, W6_TIMEOUT_MS)
      }),
  },
]
