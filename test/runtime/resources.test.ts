import { setFlagsFromString } from 'node:v8'
import { runInNewContext } from 'node:vm'
import { describe, expect, it } from 'vitest'
import {
  Barrier, BoundedSemaphore, Condition, Event, EventLoop, Lock, PriorityQueue, Queue, Semaphore, VirtualClock, createTask, getRunningLoop, sleep,
} from '../../src/main/runtime/index'
import type { Task } from '../../src/main/runtime/index'
import { resourcesOf, trackResources } from '../../src/main/runtime/resources'
import type { ResourceInfo } from '../../src/main/runtime/resources'
import { describeAwait } from '../../src/main/monitor/describe-await'

/** Runs `main` on a fresh tracked loop (virtual clock); `look` reads the resources mid-run. */
async function tracked<T>(main: (look: () => ResourceInfo[]) => Promise<T>): Promise<T> {
  const loop = new EventLoop({ clock: new VirtualClock() })
  const untrack = trackResources(loop)
  try {
    return await loop.runUntilComplete(() => main(() => resourcesOf(loop)))
  } finally {
    untrack()
    loop.close()
  }
}

const byLabel = (list: ResourceInfo[], label: string): ResourceInfo | undefined => list.find((r) => r.label === label)

describe('the resources registry', () => {
  it("lists a lock's owner task and its waiters (with the operation), and forgets the owner on release", async () => {
    await tracked(async (look) => {
      const lock = new Lock({ name: 'db' })
      let holder!: Task<void>
      holder = createTask(async () => {
        await lock.acquire()
        await sleep(100)
        lock.release()
      }, { name: 'holder' })
      await sleep(1)
      const waiters = [1, 2].map((n) => createTask(async () => { await lock.acquire(); lock.release() }, { name: `w${n}` }))
      await sleep(1)
      const r = byLabel(look(), 'db')!
      expect(r).toMatchObject({ kind: 'Lock', holders: [holder.id], waiters: [{ taskId: waiters[0]!.id, op: 'acquire' }, { taskId: waiters[1]!.id, op: 'acquire' }] })
      expect(describeAwait(waiters[0]!.awaiting())).toMatchObject({ kind: 'future', text: 'acquire db' })
      await sleep(200)
      expect(byLabel(look(), 'db')).toMatchObject({ holders: [], waiters: [] })
    })
  })

  it('labels by kind and creation order, ids stable; internal parts (a queue\'s event, a condition\'s lock) are not listed', async () => {
    await tracked(async (look) => {
      const a = new Event()
      const q = new Queue<number>(2)
      const c = new Condition()
      a.set()
      q.putNowait(1)
      await c.acquire()
      c.release()
      const first = look()
      expect(first.map((r) => r.kind)).toEqual(['Event', 'Queue', 'Condition'])
      const [e, qq, cc] = first
      expect(e!.label).toMatch(/^Event-\d+$/)
      expect(qq!.label).toMatch(/^Queue-\d+$/)
      expect(cc!.label).toMatch(/^Condition-\d+$/)
      expect(Number(qq!.label.split('-')[1])).toBeGreaterThan(0)
      expect(look().map((r) => r.id)).toEqual(first.map((r) => r.id))
      expect(e).toMatchObject({ isSet: true, holders: [], waiters: [] })
      expect(qq).toMatchObject({ size: 1, maxsize: 2, unfinished: 1 })
    })
  })

  it('semaphore holders are the tasks holding units; queue getters, putters and join waiters are listed by op', async () => {
    await tracked(async (look) => {
      const sem = new BoundedSemaphore(2, { name: 'pool' })
      const holders = [1, 2].map((n) => createTask(async () => { await sem.acquire(); await sleep(50); sem.release() }, { name: `h${n}` }))
      const q = new Queue<number>(1, { name: 'jobs' })
      const getter = createTask(() => q.get(), { name: 'getter' })
      await sleep(1)
      const pq = new PriorityQueue<number>(1, { name: 'prio' })
      pq.putNowait(5)
      const putter = createTask(() => pq.put(1), { name: 'putter' })
      const joiner = createTask(() => pq.join(), { name: 'joiner' })
      await sleep(1)
      const list = look()
      expect(byLabel(list, 'pool')).toMatchObject({ kind: 'BoundedSemaphore', holders: holders.map((h) => h.id), value: 0, initial: 2 })
      expect(byLabel(list, 'jobs')).toMatchObject({ kind: 'Queue', waiters: [{ taskId: getter.id, op: 'get' }], size: 0 })
      expect(byLabel(list, 'prio')).toMatchObject({ kind: 'PriorityQueue', waiters: [{ taskId: putter.id, op: 'put' }, { taskId: joiner.id, op: 'join' }], size: 1 })
      await sleep(100)
      expect(byLabel(look(), 'pool')).toMatchObject({ holders: [], value: 2 })
      q.putNowait(1)
      pq.getNowait()
      pq.taskDone()
      await sleep(1)
      pq.getNowait()
      pq.taskDone()
    })
  })

  it('a barrier lists its waiting parties (its inner condition and lock count as the barrier)', async () => {
    await tracked(async (look) => {
      const b = new Barrier(3, { name: 'gate' })
      const ts = [1, 2].map((n) => createTask(() => b.wait(), { name: `p${n}` }))
      await sleep(1)
      const r = byLabel(look(), 'gate')!
      expect(r).toMatchObject({ kind: 'Barrier', parties: 3, nWaiting: 2, broken: false })
      expect(r.waiters).toEqual(ts.map((t) => ({ taskId: t.id, op: 'wait' })))
      expect(look().filter((x) => x.kind !== 'Barrier')).toEqual([])
      await b.wait()
    })
  })

  it('an untracked loop registers nothing; a resource waited on before tracking began is found through its waiter', async () => {
    const loop = new EventLoop({ clock: new VirtualClock() })
    const ev = new Event({ name: 'late' })
    let waiter!: Task<true>
    await loop.runUntilComplete(async () => {
      waiter = createTask(() => ev.wait(), { name: 'waiter' })
      await sleep(1)
      expect(getRunningLoop()._resources).toBeNull()
    })
    const untrack = trackResources(loop)
    expect(resourcesOf(loop)).toEqual([expect.objectContaining({ label: 'late', kind: 'Event', isSet: false, waiters: [{ taskId: waiter.id, op: 'wait' }] })])
    untrack()
    expect(resourcesOf(loop)).toEqual([])
    loop.close()
  })

  it('holds resources weakly: 100,000 locks used and dropped leave a registry of the live ones', async () => {
    setFlagsFromString('--expose-gc')
    const gc = runInNewContext('gc') as () => void
    const loop = new EventLoop({ clock: new VirtualClock() })
    const untrack = trackResources(loop)
    const kept = new Lock({ name: 'kept' })
    const main = await loop.runUntilComplete(async () => {
      await kept.acquire()
      for (let i = 0; i < 100_000; i++) {
        const l = new Lock()
        await l.acquire()
        l.release()
      }
      return getRunningLoop().allTasks()
    })
    // A later job: WeakRefs keep their targets alive only until the job that made them ends.
    await new Promise((r) => setImmediate(r))
    gc()
    const reg = loop._resources!
    expect(reg.sweep()).toBe(1)
    expect(resourcesOf(loop)).toEqual([expect.objectContaining({ label: 'kept', holders: [...main].map((t) => t.id) })])
    untrack()
    loop.close()
  })

  it('rejects a bad name option with a TypeError', () => {
    expect(() => new Lock({ name: '' })).toThrow(TypeError)
    expect(() => new Queue(0, { name: 'x'.repeat(101) })).toThrow(TypeError)
    expect(() => new Semaphore(1, 'a' as never)).toThrow(TypeError)
  })
})

describe('cancelling tasks that await each other in a ring', () => {
  it('ends both cancelled instead of walking the ring for ever', async () => {
    const loop = new EventLoop({ clock: new VirtualClock() })
    const out = await loop.runUntilComplete(async () => {
      let b!: Task<void>
      const a = createTask(async () => { await sleep(1); await b }, { name: 'a' })
      b = createTask(async () => { await sleep(1); await a }, { name: 'b' })
      await sleep(10)
      a.cancel('stop the ring')
      await sleep(0)
      await sleep(0)
      await sleep(0)
      return [a.state, b.state, a.cancelRequest()?.source, b.cancelRequest()?.source]
    })
    loop.close()
    expect(out).toEqual(['cancelled', 'cancelled', 'program', 'parent'])
  })
})

describe('loop:resources', () => {
  it("answers each watched loop's resources by label, bounded, and refuses a bad payload", async () => {
    const { TaskMonitor } = await import('../../src/main/monitor/index')
    const { loopResources } = await import('../../src/main/ipc/resources-handler')
    const { parsePayload } = await import('../../src/shared/contract')
    const { MAX_RESOURCES_PER_LOOP } = await import('../../src/shared/resources-contract')
    const monitor = new TaskMonitor({ emit: () => {} })
    const loop = new EventLoop({ clock: new VirtualClock() })
    const detach = monitor.attach(loop, { label: 'run-7', runId: 7, rate: null })
    const keep: Event[] = []
    await loop.runUntilComplete(async () => {
      for (let i = 0; i < MAX_RESOURCES_PER_LOOP + 20; i++) {
        const e = new Event()
        e.set()
        keep.push(e)
      }
      const busy = new Event({ name: 'busy' })
      createTask(() => busy.wait(), { name: 'w' })
      keep.push(busy)
      await sleep(1)
    })
    const answer = loopResources(monitor, null)
    expect(answer.loops).toHaveLength(1)
    const [l] = answer.loops
    expect(l).toMatchObject({ loop: 'run-7', runId: 7, total: MAX_RESOURCES_PER_LOOP + 21 })
    expect(l!.resources).toHaveLength(MAX_RESOURCES_PER_LOOP)
    expect(l!.resources[0]).toMatchObject({ label: 'busy', waiters: [{ op: 'wait' }] }) // busy ones first
    expect(loopResources(monitor, 'run-8').loops).toEqual([])
    expect(parsePayload('loop:resources', { loop: 5 })).toMatchObject({ ok: false, error: { code: 'bad_request' } })
    expect(parsePayload('loop:resources', { other: 'x' })).toMatchObject({ ok: false, error: { code: 'bad_request' } })
    expect(parsePayload('loop:resources', undefined)).toMatchObject({ ok: true })
    detach()
    expect(loopResources(monitor, null).loops).toEqual([])
    expect(loop._resources).toBeNull()
    loop.close()
    monitor.dispose()
    expect(keep.length).toBe(MAX_RESOURCES_PER_LOOP + 21)
  })
})
