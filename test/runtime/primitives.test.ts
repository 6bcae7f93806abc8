import { describe, expect, it } from 'vitest'
import { Event, Lock, Queue, QueueEmpty, QueueFull, Semaphore, createTask, getRunningLoop, sleep } from '../../src/main/runtime/index'
import { runVirtual } from './support'

describe('Queue', () => {
  it('serves waiting getters first-come first-served, in FIFO item order', async () => {
    const { lines } = await runVirtual(async (s) => {
      const q = new Queue<string>()
      const getters = ['g1', 'g2', 'g3'].map((n) => createTask(async () => s.say(`${n} got ${await q.get()}`)))
      await sleep(10)
      for (const item of ['a', 'b', 'c']) q.putNowait(item)
      for (const g of getters) await g
    })
    expect(lines).toEqual(['10 g1 got a', '10 g2 got b', '10 g3 got c'])
  })

  it('a bounded queue makes put() wait for room, putters served in order', async () => {
    const { lines } = await runVirtual(async (s) => {
      const q = new Queue<number>(1)
      const producers = [1, 2, 3].map((n) =>
        createTask(async () => {
          await q.put(n)
          s.say(`put ${n}`)
        }),
      )
      await sleep(100)
      s.say(`full ${q.full()} size ${q.qsize()}`)
      for (let i = 0; i < 3; i++) {
        s.say(`got ${await q.get()}`)
        await sleep(100)
      }
      for (const p of producers) await p
    })
    expect(lines).toEqual(['0 put 1', '100 full true size 1', '100 got 1', '100 put 2', '200 got 2', '200 put 3', '300 got 3'])
  })

  it('getNowait on empty and putNowait on full throw QueueEmpty and QueueFull and change nothing', async () => {
    const { result } = await runVirtual(async () => {
      const q = new Queue<number>(1)
      const empty = (() => {
        try {
          q.getNowait()
        } catch (e) {
          return e instanceof QueueEmpty
        }
      })()
      q.putNowait(1)
      const full = (() => {
        try {
          q.putNowait(2)
        } catch (e) {
          return e instanceof QueueFull
        }
      })()
      return [empty, full, q.qsize(), q.getNowait()]
    })
    expect(result).toEqual([true, true, 1, 1])
  })

  it('join() returns once taskDone() was called for every item', async () => {
    const { lines } = await runVirtual(async (s) => {
      const q = new Queue<number>()
      for (const n of [300, 100]) q.putNowait(n)
      createTask(async () => {
        for (;;) {
          const ms = await q.get()
          await sleep(ms)
          q.taskDone()
        }
      })
      await q.join()
      s.say('joined')
    })
    expect(lines).toEqual(['400 joined'])
  })

  it('a cancelled getter does not swallow an item', async () => {
    const { result } = await runVirtual(async () => {
      const q = new Queue<string>()
      const g1 = createTask(() => q.get())
      const g2 = createTask(() => q.get())
      await sleep(10)
      g1.cancel()
      q.putNowait('only item')
      return [await g2, g1.state]
    })
    expect(result).toEqual(['only item', 'cancelled'])
  })
})

describe('Lock, Semaphore, Event', () => {
  it('Lock is FIFO fair and refuses a release when not held', async () => {
    const { lines, result } = await runVirtual(async (s) => {
      const lock = new Lock()
      const users = ['a', 'b', 'c'].map((n) =>
        createTask(async () => {
          await lock.acquire()
          try {
            s.say(`${n} holds`)
            await sleep(100)
          } finally {
            lock.release()
          }
        }),
      )
      for (const u of users) await u
      try {
        lock.release()
        return 'released'
      } catch (e) {
        return (e as Error).name
      }
    })
    expect(lines).toEqual(['0 a holds', '100 b holds', '200 c holds'])
    expect(result).toBe('RuntimeError')
  })

  it('Semaphore admits `value` holders at a time, FIFO', async () => {
    const { lines } = await runVirtual(async (s) => {
      const sem = new Semaphore(2)
      const ts = ['a', 'b', 'c', 'd'].map((n) =>
        createTask(async () => {
          await sem.acquire()
          s.say(`${n} in`)
          await sleep(100)
          sem.release()
        }),
      )
      for (const t of ts) await t
    })
    expect(lines).toEqual(['0 a in', '0 b in', '100 c in', '100 d in'])
  })

  it('Event wakes every waiter when set, and wait() returns at once once set', async () => {
    const { lines } = await runVirtual(async (s) => {
      const ev = new Event()
      const ws = [1, 2].map((i) => createTask(async () => s.say(`w${i} ${await ev.wait()}`)))
      await sleep(50)
      ev.set()
      for (const w of ws) await w
      s.say(`again ${await ev.wait()} at ${getRunningLoop().time()}`)
    })
    expect(lines).toEqual(['50 w1 true', '50 w2 true', '50 again true at 50'])
  })
})
