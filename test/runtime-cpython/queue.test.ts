/** Queue as asyncio.Queue: FIFO to waiting getters and putters, maxsize, join/taskDone, cancelled waiters. */
import { describe, it } from 'vitest'
import { LifoQueue, PriorityQueue, Queue, QueueEmpty, QueueFull, ValueError as RuntimeValueError, createTask, gather, sleep } from '../../src/main/runtime/index'
import { b, err, expectSameTrace, fmt } from './cpython'

describe('Queue, compared with CPython', () => {
  it('waiting getters receive items in the order they started waiting', async () => {
    await expectSameTrace(
      `
      async def consumer(q, name):
          item = await q.get()
          log(name, 'got', item)
      async def main():
          q = asyncio.Queue()
          cs = [asyncio.create_task(consumer(q, f'c{i}')) for i in range(3)]
          await asyncio.sleep(0.01)
          for i in range(3):
              q.put_nowait(i)
          log('put three')
          await asyncio.gather(*cs)
      `,
      async (log) => {
        const q = new Queue<number>()
        const cs = [0, 1, 2].map((i) =>
          createTask(async () => {
            const item = await q.get()
            log(`c${i}`, 'got', item)
          }),
        )
        await sleep(10)
        for (let i = 0; i < 3; i++) q.putNowait(i)
        log('put three')
        await gather(cs)
      },
    )
  })

  it('a get() that runs before the woken getter takes the item, and the woken one waits again at the back', async () => {
    await expectSameTrace(
      `
      async def consumer(q, name):
          while True:
              item = await q.get()
              log(name, 'got', item)
              if item == 'stop':
                  return
      async def main():
          q = asyncio.Queue()
          a = asyncio.create_task(consumer(q, 'a'))
          await asyncio.sleep(0.01)
          q.put_nowait('x')
          log('barging get', await q.get())
          bb = asyncio.create_task(consumer(q, 'b'))
          await asyncio.sleep(0.01)
          q.put_nowait('y')
          await asyncio.sleep(0)
          q.put_nowait('stop')
          q.put_nowait('stop')
          await asyncio.gather(a, bb)
      `,
      async (log) => {
        const q = new Queue<string>()
        const consumer = (name: string) => async (): Promise<void> => {
          for (;;) {
            const item = await q.get()
            log(name, 'got', item)
            if (item === 'stop') return
          }
        }
        const a = createTask(consumer('a'))
        await sleep(10)
        q.putNowait('x')
        log('barging get', await q.get())
        const bb = createTask(consumer('b'))
        await sleep(10)
        q.putNowait('y')
        await sleep(0)
        q.putNowait('stop')
        q.putNowait('stop')
        await gather([a, bb])
      },
    )
  })

  it('a bounded queue blocks putters and lets them in FIFO as room appears', async () => {
    await expectSameTrace(
      `
      async def producer(q, name):
          await q.put(name)
          log(name, 'put, size', q.qsize(), 'full', q.full())
      async def main():
          q = asyncio.Queue(2)
          ps = [asyncio.create_task(producer(q, f'p{i}')) for i in range(5)]
          await asyncio.sleep(0.01)
          log('size', q.qsize(), 'full', q.full())
          for _ in range(5):
              log('got', await q.get())
              await asyncio.sleep(0.01)
          await asyncio.gather(*ps)
          log('empty', q.empty())
      `,
      async (log) => {
        const q = new Queue<string>(2)
        const ps = [0, 1, 2, 3, 4].map((i) =>
          createTask(async () => {
            await q.put(`p${i}`)
            log(`p${i}`, 'put, size', q.qsize(), 'full', b(q.full()))
          }),
        )
        await sleep(10)
        log('size', q.qsize(), 'full', b(q.full()))
        for (let i = 0; i < 5; i++) {
          log('got', await q.get())
          await sleep(10)
        }
        await gather(ps)
        log('empty', b(q.empty()))
      },
    )
  })

  it('join returns once every item got taskDone, for every joiner', async () => {
    await expectSameTrace(
      `
      async def worker(q, name):
          while True:
              item = await q.get()
              await asyncio.sleep(item / 1000)
              log(name, 'processed', item)
              q.task_done()
      async def joiner(q, name):
          await q.join()
          log(name, 'joined')
      async def main():
          q = asyncio.Queue()
          for d in (30, 10, 20, 10):
              q.put_nowait(d)
          ws = [asyncio.create_task(worker(q, f'w{i}')) for i in range(2)]
          js = [asyncio.create_task(joiner(q, f'j{i}')) for i in range(2)]
          await q.join()
          log('main joined, unfinished items none; join again returns at once')
          await q.join()
          log('second join')
          for w in ws:
              w.cancel()
          await asyncio.gather(*js)
      `,
      async (log) => {
        const q = new Queue<number>()
        for (const d of [30, 10, 20, 10]) q.putNowait(d)
        const ws = [0, 1].map((i) =>
          createTask(async () => {
            for (;;) {
              const item = await q.get()
              await sleep(item)
              log(`w${i}`, 'processed', item)
              q.taskDone()
            }
          }),
        )
        const js = [0, 1].map((i) =>
          createTask(async () => {
            await q.join()
            log(`j${i}`, 'joined')
          }),
        )
        await q.join()
        log('main joined, unfinished items none; join again returns at once')
        await q.join()
        log('second join')
        for (const w of ws) w.cancel()
        await gather(js)
      },
    )
  })

  it('a cancelled getter gives up its turn, and a woken getter cancelled before it runs passes the item on', async () => {
    await expectSameTrace(
      `
      async def consumer(q, name):
          try:
              log(name, 'got', await q.get())
          except asyncio.CancelledError:
              log(name, 'cancelled')
              raise
      async def main():
          q = asyncio.Queue()
          c1 = asyncio.create_task(consumer(q, 'c1'))
          c2 = asyncio.create_task(consumer(q, 'c2'))
          c3 = asyncio.create_task(consumer(q, 'c3'))
          await asyncio.sleep(0.01)
          c1.cancel()
          await asyncio.sleep(0.01)
          q.put_nowait('first')
          c2.cancel()
          await asyncio.sleep(0.01)
          log('size', q.qsize())
          q.put_nowait('second')
          await asyncio.sleep(0.01)
          log('size', q.qsize())
      `,
      async (log) => {
        const q = new Queue<string>()
        const consumer = (name: string) => async (): Promise<void> => {
          try {
            log(name, 'got', await q.get())
          } catch (e) {
            log(name, 'cancelled')
            throw e
          }
        }
        const c1 = createTask(consumer('c1'))
        const c2 = createTask(consumer('c2'))
        createTask(consumer('c3'))
        await sleep(10)
        c1.cancel()
        await sleep(10)
        q.putNowait('first')
        c2.cancel()
        await sleep(10)
        log('size', q.qsize())
        q.putNowait('second')
        await sleep(10)
        log('size', q.qsize())
      },
    )
  })

  it('a woken putter cancelled before it runs lets the next putter in', async () => {
    await expectSameTrace(
      `
      async def producer(q, name):
          try:
              await q.put(name)
              log(name, 'put')
          except asyncio.CancelledError:
              log(name, 'cancelled')
              raise
      async def main():
          q = asyncio.Queue(1)
          q.put_nowait('seed')
          p1 = asyncio.create_task(producer(q, 'p1'))
          p2 = asyncio.create_task(producer(q, 'p2'))
          await asyncio.sleep(0.01)
          log('got', q.get_nowait())
          p1.cancel()
          await asyncio.sleep(0.01)
          log('got', q.get_nowait(), 'size', q.qsize())
      `,
      async (log) => {
        const q = new Queue<string>(1)
        q.putNowait('seed')
        const producer = (name: string) => async (): Promise<void> => {
          try {
            await q.put(name)
            log(name, 'put')
          } catch (e) {
            log(name, 'cancelled')
            throw e
          }
        }
        const p1 = createTask(producer('p1'))
        createTask(producer('p2'))
        await sleep(10)
        log('got', q.getNowait())
        p1.cancel()
        await sleep(10)
        log('got', q.getNowait(), 'size', q.qsize())
      },
    )
  })

  it('getNowait on an empty queue and putNowait on a full one raise and change nothing', async () => {
    await expectSameTrace(
      `
      async def main():
          q = asyncio.Queue(1)
          try:
              q.get_nowait()
          except asyncio.QueueEmpty as e:
              log('raised', err(e), 'size', q.qsize())
          q.put_nowait(1)
          try:
              q.put_nowait(2)
          except asyncio.QueueFull as e:
              log('raised', err(e), 'size', q.qsize(), 'item', q.get_nowait())
          u = asyncio.Queue(0)
          for i in range(100):
              u.put_nowait(i)
          log('unbounded size', u.qsize(), 'full', u.full())
      `,
      async (log) => {
        const q = new Queue<number>(1)
        try {
          q.getNowait()
        } catch (e) {
          if (e instanceof QueueEmpty) log('raised', err(e), 'size', q.qsize())
        }
        q.putNowait(1)
        try {
          q.putNowait(2)
        } catch (e) {
          if (e instanceof QueueFull) log('raised', err(e), 'size', q.qsize(), 'item', q.getNowait())
        }
        const u = new Queue<number>(0)
        for (let i = 0; i < 100; i++) u.putNowait(i)
        log('unbounded size', u.qsize(), 'full', b(u.full()))
      },
    )
  })

  it('a float maxsize is accepted, as CPython: Queue(1.5) holds two items', async () => {
    await expectSameTrace(
      `
      async def main():
          q = asyncio.Queue(1.5)
          q.put_nowait('a')
          log('one item, full', q.full())
          q.put_nowait('b')
          log('two items, full', q.full())
          try:
              q.put_nowait('c')
          except asyncio.QueueFull as e:
              log('third:', err(e))
          log('maxsize', q.maxsize)
      `,
      async (log) => {
        const q = new Queue<string>(1.5)
        q.putNowait('a')
        log('one item, full', b(q.full()))
        q.putNowait('b')
        log('two items, full', b(q.full()))
        try {
          q.putNowait('c')
        } catch (e) {
          log('third:', err(e))
        }
        log('maxsize', q.maxsize)
      },
    )
  })

  it('taskDone() called once too often is a ValueError, as CPython, and changes nothing', async () => {
    await expectSameTrace(
      `
      async def main():
          q = asyncio.Queue()
          q.put_nowait(1)
          await q.get()
          q.task_done()
          try:
              q.task_done()
          except ValueError as e:
              log('second taskDone:', type(e).__name__)
          q.put_nowait(2)
          await q.get()
          q.task_done()
          await q.join()
          log('joined')
      `,
      async (log) => {
        const q = new Queue<number>()
        q.putNowait(1)
        await q.get()
        q.taskDone()
        try {
          q.taskDone()
        } catch (e) {
          log('second taskDone:', e instanceof RuntimeValueError ? e.name : err(e))
        }
        q.putNowait(2)
        await q.get()
        q.taskDone()
        await q.join()
        log('joined')
      },
    )
  })

  it('PriorityQueue: smallest first, arrays ordered as tuples, ties as heapq leaves them; a comparator overrides', async () => {
    await expectSameTrace(
      `
      async def main():
          q = asyncio.PriorityQueue()
          for item in [(3, 'c'), (1, 'z'), (2, 'b'), (1, 'a'), (5, 'e'), (2, 'a'), (4, 'd'), (1, 'm')]:
              q.put_nowait(item)
          log('order', fmt([q.get_nowait() for _ in range(q.qsize())]))
          n = asyncio.PriorityQueue()
          for x in [5, 3, 8, 1, 9, 2, 7]:
              n.put_nowait(x)
          log('numbers', fmt([n.get_nowait() for _ in range(n.qsize())]))
          got = []
          async def getter():
              got.append(await n.get())
          gs = [asyncio.create_task(getter()) for _ in range(2)]
          await asyncio.sleep(0)
          n.put_nowait(4)
          n.put_nowait(0)
          await asyncio.gather(*gs)
          log('waiting getters got', fmt(got))
          rev = asyncio.PriorityQueue()
          for x in [-5, -3, -8, -1]:
              rev.put_nowait(x)
          log('reversed by key', fmt([-rev.get_nowait() for _ in range(rev.qsize())]))
      `,
      async (log) => {
        const q = new PriorityQueue<[number, string]>()
        for (const item of [[3, 'c'], [1, 'z'], [2, 'b'], [1, 'a'], [5, 'e'], [2, 'a'], [4, 'd'], [1, 'm']] as [number, string][]) q.putNowait(item)
        log('order', fmt(Array.from({ length: q.qsize() }, () => q.getNowait())))
        const n = new PriorityQueue<number>()
        for (const x of [5, 3, 8, 1, 9, 2, 7]) n.putNowait(x)
        log('numbers', fmt(Array.from({ length: n.qsize() }, () => n.getNowait())))
        const got: number[] = []
        const gs = [0, 1].map(() => createTask(async () => void got.push(await n.get())))
        await sleep(0)
        n.putNowait(4)
        n.putNowait(0)
        await gather(gs)
        log('waiting getters got', fmt(got))
        const rev = new PriorityQueue<number>(0, { comparator: (a, b) => b - a })
        for (const x of [5, 3, 8, 1]) rev.putNowait(x)
        log('reversed by key', fmt(Array.from({ length: rev.qsize() }, () => rev.getNowait())))
      },
    )
  })

  it('LifoQueue: last in, first out, with maxsize and blocking putters as Queue', async () => {
    await expectSameTrace(
      `
      async def main():
          q = asyncio.LifoQueue(2)
          q.put_nowait('a')
          q.put_nowait('b')
          log('full', q.full())
          async def putter():
              await q.put('c')
              log('put c')
          p = asyncio.create_task(putter())
          await asyncio.sleep(0)
          log('got', q.get_nowait())
          await p
          log('got', q.get_nowait(), q.get_nowait(), 'empty', q.empty())
      `,
      async (log) => {
        const q = new LifoQueue<string>(2)
        q.putNowait('a')
        q.putNowait('b')
        log('full', b(q.full()))
        const p = createTask(async () => {
          await q.put('c')
          log('put c')
        })
        await sleep(0)
        log('got', q.getNowait())
        await p
        log('got', q.getNowait(), q.getNowait(), 'empty', b(q.empty()))
      },
    )
  })

  it('PriorityQueue with equal priorities (a comparator on priority only) gives them out in heapq\'s order', async () => {
    await expectSameTrace(
      `
      class Job:
          def __init__(self, p, name):
              self.p = p
              self.name = name
          def __lt__(self, other):
              return self.p < other.p
      async def main():
          q = asyncio.PriorityQueue()
          for i, p in enumerate([2, 1, 2, 1, 3, 1, 2, 2, 1, 3]):
              q.put_nowait(Job(p, f'j{i}'))
              if i == 6:
                  log('early', q.get_nowait().name, q.get_nowait().name)
          log('order', ' '.join(q.get_nowait().name for _ in range(q.qsize())))
      `,
      async (log) => {
        const q = new PriorityQueue<{ p: number; name: string }>(0, { comparator: (a, b) => a.p - b.p })
        ;[2, 1, 2, 1, 3, 1, 2, 2, 1, 3].forEach((p, i) => {
          q.putNowait({ p, name: `j${i}` })
          if (i === 6) log('early', q.getNowait().name, q.getNowait().name)
        })
        log('order', Array.from({ length: q.qsize() }, () => q.getNowait().name).join(' '))
      },
    )
  })
})
