/**
 * W1–W6 on raw Node promises, no scheduler: the floor the runtime is measured against. asyncio's
 * sleep(0) is a real turn of the loop, so its twin here is a `setImmediate`; each workload also
 * runs with `await null` (a microtask, no turn at all) for the column beside it. Cancelling is a
 * plain reject and a timeout a plain setTimeout: the least a hand-written program would do.
 */
import { Deque } from '../src/main/runtime/queue-structures'
import { SPREAD_MS, W1_TASKS, W2_SLEEPS, W2_TASKS, W3_TASKS, W4_CONSUMERS, W4_ITEMS, W4_MAXSIZE, W5_SLEEPS, W6_CALLS, W6_TIMEOUT_MS } from './workloads'

export type Yield = () => Promise<void> | null

/** sleep(0) as a turn of Node's event loop. */
export const immediate: Yield = () => new Promise<void>((resolve) => setImmediate(resolve))
/** sleep(0) as `await null`: one microtask. */
export const awaitNull: Yield = () => null

/** tasks × sleeps yields, all started at once and awaited together. */
export async function rawSwitches(tick: Yield, tasks: number, sleeps: number): Promise<void> {
  const worker = async (): Promise<void> => {
    for (let i = 0; i < sleeps; i++) await tick()
  }
  await Promise.all(Array.from({ length: tasks }, worker))
}

/** A bounded FIFO channel with promise waiters: Queue's least form (put/get/taskDone/join). */
class RawQueue<T> {
  private readonly items = new Deque<T>()
  private readonly getters = new Deque<() => void>()
  private readonly putters = new Deque<() => void>()
  private unfinished = 0
  private joined: (() => void) | null = null
  constructor(private readonly maxsize: number) {}

  async put(item: T): Promise<void> {
    while (this.items.length >= this.maxsize) await new Promise<void>((r) => this.putters.push(r))
    this.items.push(item)
    this.unfinished++
    this.getters.shift()?.()
  }
  async get(): Promise<T> {
    while (this.items.length === 0) await new Promise<void>((r) => this.getters.push(r))
    const item = this.items.shift() as T
    this.putters.shift()?.()
    return item
  }
  taskDone(): void {
    if (--this.unfinished === 0) this.joined?.()
  }
  join(): Promise<void> {
    return this.unfinished === 0 ? Promise.resolve() : new Promise<void>((r) => (this.joined = r))
  }
}

/** The raw twins, by workload id; a twin resolves with the figure to report when it is not the elapsed time. */
export const rawTwins: Record<string, (tick: Yield) => Promise<number | void>> = {
  W1: (tick) => rawSwitches(tick, W1_TASKS, 1),
  W2: (tick) => rawSwitches(tick, W2_TASKS, W2_SLEEPS),
  W3: async (tick) => {
    const waiters = new Set<{ resolve: () => void; reject: (e: Error) => void }>()
    const wait = (): Promise<void> => new Promise<void>((resolve, reject) => void waiters.add({ resolve, reject }))
    const ps = Array.from({ length: W3_TASKS }, async () => {
      await tick()
      await wait()
    })
    await tick()
    await tick() // every "task" has started and waits
    const cancelled = new Error('cancelled')
    for (const w of waiters) w.reject(cancelled)
    waiters.clear()
    await Promise.allSettled(ps)
  },
  W4: async () => {
    const q = new RawQueue<number>(W4_MAXSIZE)
    let stop = false
    const consumers = Array.from({ length: W4_CONSUMERS }, async () => {
      while (!stop) {
        await q.get()
        q.taskDone()
      }
    })
    for (let i = 0; i < W4_ITEMS; i++) await q.put(i)
    await q.join()
    stop = true
    for (let i = 0; i < W4_CONSUMERS; i++) void q.put(-1) // the consumers' last get()s return
    await Promise.all(consumers)
  },
  W5: async () => {
    const t0 = performance.now()
    await Promise.all(
      Array.from({ length: W5_SLEEPS }, async (_, i) => {
        await new Promise<void>((resolve) => setTimeout(resolve, (SPREAD_MS * i) / W5_SLEEPS))
      }),
    )
    return performance.now() - t0 - SPREAD_MS
  },
  W6: async (tick) => {
    const quick = async (): Promise<number> => {
      await tick()
      return 1
    }
    for (let i = 0; i < W6_CALLS; i++) {
      let timer: NodeJS.Timeout | undefined
      const expired = new Promise<never>((_, reject) => (timer = setTimeout(reject, W6_TIMEOUT_MS, new Error('timed out'))))
      try {
        await Promise.race([quick(), expired])
      } finally {
        clearTimeout(timer)
      }
    }
  },
}

/** The workloads whose twin yields (sleep(0)): only those have a different `await null` figure. */
export const YIELDING = new Set(['W1', 'W2', 'W3', 'W6'])
