/**
 * The scheduler workloads, each the same program as its twin in asyncio_bench.py. All run on a
 * VirtualClock, so timers cost scheduling work only, never real waiting.
 */
import { Queue, VirtualClock, createTask, gather, run, sleep } from '../src/main/runtime/index'

export interface Workload {
  name: string
  /** operations counted for ns/op */
  ops: number
  run(): Promise<void>
}

const onVirtual = <T>(main: () => Promise<T>): Promise<T> => run(main, { clock: new VirtualClock() })

export const workloads: Workload[] = [
  {
    name: 'switches: 1k tasks × 1k sleep(0)',
    ops: 1_000_000,
    run: () =>
      onVirtual(async () => {
        const worker = async () => {
          for (let i = 0; i < 1000; i++) await sleep(0)
        }
        await gather(Array.from({ length: 1000 }, () => createTask(worker)))
      }),
  },
  {
    name: 'spawn: 100k tasks created and awaited',
    ops: 100_000,
    run: () =>
      onVirtual(async () => {
        const ts = Array.from({ length: 100_000 }, (_, i) => createTask(async () => i))
        for (const t of ts) await t
      }),
  },
  {
    name: 'timers: 100k sleeps, 1k distinct deadlines',
    ops: 100_000,
    run: () =>
      onVirtual(async () => {
        await gather(Array.from({ length: 100_000 }, (_, i) => createTask(() => sleep(1 + (i % 1000)))))
      }),
  },
  {
    name: 'gather: 100 rounds × 1k tasks',
    ops: 100_000,
    run: () =>
      onVirtual(async () => {
        for (let r = 0; r < 100; r++) await gather(Array.from({ length: 1000 }, (_, i) => async () => i))
      }),
  },
  {
    name: 'queue: 200k items, Queue(100), 4 consumers',
    ops: 200_000,
    run: () =>
      onVirtual(async () => {
        const q = new Queue<number>(100)
        const consumers = Array.from({ length: 4 }, () =>
          createTask(async () => {
            for (;;) {
              await q.get()
              q.taskDone()
            }
          }),
        )
        for (let i = 0; i < 200_000; i++) await q.put(i)
        await q.join()
        for (const c of consumers) c.cancel()
      }),
  },
  {
    name: 'cancel: 100k waiting tasks cancelled at once',
    ops: 100_000,
    run: () =>
      onVirtual(async () => {
        const ts = Array.from({ length: 100_000 }, () => createTask(() => sleep(60_000)))
        await sleep(1)
        for (const t of ts) t.cancel()
        await gather(ts, { returnExceptions: true })
      }),
  },
]

/** Raw promises doing the same logical work with no scheduler at all: the floor we measure against. */
export const rawBaselines: Record<string, () => Promise<void>> = {
  'switches: 1k tasks × 1k sleep(0)': async () => {
    const worker = async () => {
      for (let i = 0; i < 1000; i++) await null
    }
    await Promise.all(Array.from({ length: 1000 }, worker))
  },
  'spawn: 100k tasks created and awaited': async () => {
    const ps = Array.from({ length: 100_000 }, (_, i) => (async () => i)())
    for (const p of ps) await p
  },
  'gather: 100 rounds × 1k tasks': async () => {
    for (let r = 0; r < 100; r++) await Promise.all(Array.from({ length: 1000 }, (_, i) => (async () => i)()))
  },
}
