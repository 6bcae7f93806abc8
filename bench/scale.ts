/**
 * How the runtime scales: the flat-cost line (a task switch costs the same with 1k or 100k live
 * tasks) and the heap a pending task holds (100k tasks asleep, after a full GC).
 */
import { createTask, gather, run, sleep } from '../src/main/runtime/index'
import { immediate, rawSwitches } from './raw-promises'
import { switches } from './workloads'
import { bestOf, gc } from './timing'

const SWITCHES = 1_000_000
const SMALL = 1_000
const LARGE = 100_000

export interface FlatCost {
  tasks: { small: number; large: number }
  perSwitchUs: { small: number; large: number }
  rawPerSwitchUs: { small: number; large: number }
  /** large ÷ small: 1 is flat */
  ratio: number
}

/** W2's shape with 1M sleep(0) at 1k tasks (× 1000) and at 100k tasks (× 10). */
export async function flatCost(runs: number): Promise<FlatCost> {
  const [small, large, rawSmall, rawLarge] = await bestOf(
    [
      () => switches(SMALL, SWITCHES / SMALL),
      () => switches(LARGE, SWITCHES / LARGE),
      () => rawSwitches(immediate, SMALL, SWITCHES / SMALL),
      () => rawSwitches(immediate, LARGE, SWITCHES / LARGE),
    ],
    runs,
  )
  const us = (ms: number): number => (ms * 1000) / SWITCHES
  return {
    tasks: { small: SMALL, large: LARGE },
    perSwitchUs: { small: us(small!.ms), large: us(large!.ms) },
    rawPerSwitchUs: { small: us(rawSmall!.ms), large: us(rawLarge!.ms) },
    ratio: large!.ms / small!.ms,
  }
}

export interface HeapPerTask {
  tasks: number
  /** bytes of heap per pending task whose coroutine is the sleep itself: `createTask(() => sleep(60_000))` (the target's figure) */
  runtimeBytes: number
  /** the same with an async function in `await sleep(60_000)`: V8's async frame and await are most of it */
  runtimeAsyncBytes: number
  /** raw promises: an async function awaiting a setTimeout promise */
  rawBytes: number
}

const HEAP_TASKS = 100_000
const heapUsed = (): number => {
  gc()
  gc()
  return process.memoryUsage().heapUsed
}

/** Heap per pending task of `coro`: 100k tasks parked in it, measured after a full GC. */
async function perTask(coro: () => PromiseLike<void>): Promise<number> {
  let bytes = 0
  await run(async () => {
    const ts = new Array(HEAP_TASKS)
    const before = heapUsed()
    for (let i = 0; i < HEAP_TASKS; i++) ts[i] = createTask(coro)
    await sleep(0) // every task has taken its first step and sleeps
    bytes = (heapUsed() - before) / HEAP_TASKS
    for (const t of ts) t.cancel()
    await gather(ts, { returnExceptions: true })
  })
  return bytes
}

/** Heap per pending task: 100k tasks each parked in sleep(60 s), after a full GC; and their raw twin. */
export async function heapPerPendingTask(): Promise<HeapPerTask> {
  const runtimeBytes = await perTask(() => sleep(60_000))
  const runtimeAsyncBytes = await perTask(async () => {
    await sleep(60_000)
  })
  const timers: NodeJS.Timeout[] = new Array(HEAP_TASKS)
  const ps: Promise<void>[] = new Array(HEAP_TASKS)
  const asleep = async (i: number): Promise<void> => {
    await new Promise<void>((resolve) => (timers[i] = setTimeout(resolve, 60_000)))
  }
  const before = heapUsed()
  for (let i = 0; i < HEAP_TASKS; i++) ps[i] = asleep(i)
  const rawBytes = (heapUsed() - before) / HEAP_TASKS
  for (const t of timers) clearTimeout(t)
  return { tasks: HEAP_TASKS, runtimeBytes, runtimeAsyncBytes, rawBytes }
}
