import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { TaskMonitor } from '../../src/main/monitor/index'
import { EventLoop, Event, Lock, Queue, VirtualClock, createTask, gather, sleep } from '../../src/main/runtime/index'
import { resourcesOf } from '../../src/main/runtime/resources'
import { createScenarioRun, getScenario } from '../../src/main/scenarios/index'
import { findDeadlocks, flaggedTasks } from '../../src/shared/deadlocks'
import type { DeadlockFinding } from '../../src/shared/deadlocks'
import type { TaskSnapshot } from '../../src/shared/snapshots'

const cleanups: (() => Promise<void> | void)[] = []
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c()
})

/** One look: the monitor's task snapshots and the loop's resources, as the window gets them. */
function look(monitor: TaskMonitor, loop: EventLoop, label: string): { tasks: TaskSnapshot[]; findings: DeadlockFinding[] } {
  const tasks = monitor.snapshot().tasks.map(({ history: _h, ...t }) => t)
  return { tasks, findings: findDeadlocks(tasks, [{ loop: label, runId: 1, resources: resourcesOf(loop), total: 0 }]) }
}

/** Polls (one host turn at a time, generous bound) until the loop has nothing left to run. */
async function untilIdle(loop: EventLoop, monitor: TaskMonitor, label: string, minMs: number): Promise<ReturnType<typeof look>> {
  for (let i = 0; i < 20_000; i++) {
    await new Promise((r) => setImmediate(r))
    const seen = look(monitor, loop, label)
    const live = seen.tasks.filter((t) => t.state === 'pending' || t.state === 'running' || t.awaiting?.kind === 'sleep')
    if (loop.time() >= minMs && live.length === 0) return seen
  }
  throw new Error('the loop never went idle')
}

/** Runs a scenario on the virtual clock, watched, until it is stuck. */
async function stuckScenario(id: string): Promise<ReturnType<typeof look>> {
  const outDir = mkdtempSync(join(tmpdir(), 'loopwatch-deadlocks-'))
  const run = createScenarioRun(getScenario(id)!, {}, { clock: 'virtual', outDir })
  const monitor = new TaskMonitor({ emit: () => {} })
  monitor.attach(run.loop, { label: 'run-1', runId: 1, rate: null })
  const ended = run.start()
  cleanups.push(async () => {
    await run.stop(50)
    await ended
    monitor.dispose()
    rmSync(outDir, { recursive: true, force: true })
  })
  return untilIdle(run.loop, monitor, 'run-1', 100)
}

/** Runs `main` on a watched virtual loop until nothing is left to run (or it ends). */
async function stuckProgram(main: () => Promise<unknown>): Promise<ReturnType<typeof look>> {
  const loop = new EventLoop({ clock: new VirtualClock() })
  const monitor = new TaskMonitor({ emit: () => {} })
  monitor.attach(loop, { label: 'run-1', runId: 1, rate: null })
  const mainTask = loop.createTask(main, { name: 'main' })
  const running = loop.runUntilComplete(mainTask).catch(() => {})
  cleanups.push(async () => {
    await loop.shutdown({ graceMs: 50 })
    loop.stop()
    await running
    loop.close()
    monitor.dispose()
  })
  return untilIdle(loop, monitor, 'run-1', 0)
}

const idOf = (tasks: TaskSnapshot[], name: string): number => tasks.find((t) => t.name === name)!.id
const idsOf = (tasks: TaskSnapshot[], ...names: string[]): number[] => names.map((n) => idOf(tasks, n)).sort((a, b) => a - b)

describe('deadlock detection on the scenarios', () => {
  it('deadlock-cycle: flags alice and bob awaiting each other, main blocked behind them', async () => {
    const { tasks, findings } = await stuckScenario('deadlock-cycle')
    const [a, b] = [idOf(tasks, 'alice'), idOf(tasks, 'bob')]
    expect(findings).toEqual([
      expect.objectContaining({
        kind: 'await-cycle',
        taskIds: [a, b],
        blockedIds: [idOf(tasks, 'main')],
        resource: null,
        explanation: `alice (#${a}) awaits bob (#${b}), bob (#${b}) awaits alice (#${a}): none of them can ever finish.`,
      }),
    ])
  })

  it('stuck-lock: flags the workers waiting on a lock held by the ended careless task', async () => {
    const { tasks, findings } = await stuckScenario('stuck-lock')
    const c = idOf(tasks, 'careless')
    const workers = idsOf(tasks, 'worker-1', 'worker-2', 'worker-3')
    expect(findings).toEqual([
      expect.objectContaining({
        kind: 'held-by-ended',
        taskIds: workers,
        blockedIds: [idOf(tasks, 'main')],
        resource: expect.objectContaining({ label: 'db', kind: 'Lock' }),
        explanation: `Lock db is held by careless (#${c}) (done), which ended without releasing it: worker-1 (#${workers[0]}), worker-2 (#${workers[1]}) and worker-3 (#${workers[2]}) wait to acquire it forever.`,
      }),
    ])
  })

  it('stuck-event: flags the waiters of an event no live task can set', async () => {
    const { tasks, findings } = await stuckScenario('stuck-event')
    expect(findings).toHaveLength(1)
    expect(findings[0]).toMatchObject({ kind: 'never-set', taskIds: idsOf(tasks, 'waiter-1', 'waiter-2', 'waiter-3'), blockedIds: [idOf(tasks, 'main')], resource: { label: 'ready', kind: 'Event' } })
    expect(findings[0]!.explanation).toMatch(/^waiter-1 \(#\d+\), waiter-2 \(#\d+\) and waiter-3 \(#\d+\) wait to wait Event ready, but no live task of run-1 can set it: all 4 wait on each other\.$/)
  })

  it('stuck-queue: flags the consumers of a queue whose producer ended', async () => {
    const { tasks, findings } = await stuckScenario('stuck-queue')
    expect(findings).toEqual([
      expect.objectContaining({ kind: 'no-producer', taskIds: idsOf(tasks, 'consumer-1', 'consumer-2'), blockedIds: [idOf(tasks, 'main')], resource: expect.objectContaining({ label: 'jobs' }) }),
    ])
    expect(flaggedTasks(findings)).toEqual(new Set([...idsOf(tasks, 'consumer-1', 'consumer-2'), idOf(tasks, 'main')]))
    expect(flaggedTasks(findings, false)).toEqual(new Set(idsOf(tasks, 'consumer-1', 'consumer-2')))
  })
})

describe('deadlock detection: what it does not flag, and rings through locks', () => {
  it('flags two tasks each holding the lock the other wants (a ring through locks)', async () => {
    const { tasks, findings } = await stuckProgram(async () => {
      const l1 = new Lock({ name: 'L1' })
      const l2 = new Lock({ name: 'L2' })
      const one = async (first: Lock, second: Lock): Promise<void> => {
        await first.acquire()
        await sleep(10)
        await second.acquire()
      }
      await gather([createTask(() => one(l1, l2), { name: 'p' }), createTask(() => one(l2, l1), { name: 'q' })])
    })
    const [p, q] = [idOf(tasks, 'p'), idOf(tasks, 'q')]
    expect(findings).toEqual([
      expect.objectContaining({
        kind: 'await-cycle',
        taskIds: [p, q],
        explanation: `p (#${p}) waits to acquire L2 held by q (#${q}), q (#${q}) waits to acquire L1 held by p (#${p}): none of them can ever finish.`,
      }),
    ])
  })

  it('flags an event and a queue nobody can reach once the last task that could still run has ended, not while it runs', async () => {
    const { tasks, findings } = await stuckProgram(async () => {
      const ev = new Event({ name: 'E' })
      const q = new Queue<number>(0, { name: 'Q' })
      const heartbeat = createTask(async () => {
        for (;;) await sleep(1000)
      }, { name: 'heartbeat' })
      const waiters = [createTask(() => ev.wait(), { name: 'ev-waiter' }), createTask(() => q.get(), { name: 'q-waiter' })]
      await sleep(50)
      heartbeat.cancel()
      await gather(waiters)
    })
    expect(findings.map((f) => [f.kind, f.resource?.label, f.taskIds])).toEqual([
      ['never-set', 'E', [idOf(tasks, 'ev-waiter')]],
      ['no-producer', 'Q', [idOf(tasks, 'q-waiter')]],
    ])
    // The same waits while the heartbeat still sleeps (the snapshots as they were then): not flagged.
    const sleeping: TaskSnapshot = { ...snap(900, 'heartbeat'), state: 'waiting', awaiting: { kind: 'sleep', text: 'sleep 1.0 s', taskId: null } }
    const evWaiter: TaskSnapshot = { ...snap(901, 'w'), state: 'waiting', awaiting: { kind: 'future', text: 'wait E', taskId: null } }
    const resources = [{ loop: 'run-9', runId: 9, total: 1, resources: [{ id: 1, kind: 'Event' as const, label: 'E', holders: [], waiters: [{ taskId: 901, op: 'wait' as const }], isSet: false }] }]
    expect(findDeadlocks([sleeping, evWaiter], resources)).toEqual([])
    expect(findDeadlocks([{ ...sleeping, state: 'done', awaiting: null }, evWaiter], resources).map((f) => f.kind)).toEqual(['never-set'])
  })

  it('flags nothing for a lock held by a task that is still running, or a future it cannot see into', () => {
    const holder: TaskSnapshot = { ...snap(1, 'holder'), state: 'waiting', awaiting: { kind: 'future', text: 'Future', taskId: null } }
    const waiter: TaskSnapshot = { ...snap(2, 'waiter'), state: 'waiting', awaiting: { kind: 'future', text: 'acquire L', taskId: null } }
    const resources = [{ loop: 'run-9', runId: 9, total: 1, resources: [{ id: 1, kind: 'Lock' as const, label: 'L', holders: [1], waiters: [{ taskId: 2, op: 'acquire' as const }], locked: true }] }]
    expect(findDeadlocks([holder, waiter], resources)).toEqual([])
    expect(findDeadlocks([{ ...holder, state: 'failed', awaiting: null }, waiter], resources).map((f) => f.kind)).toEqual(['held-by-ended'])
  })

  it('finds a cycle from awaits alone when the source reports no resources, also through a gather', () => {
    const a: TaskSnapshot = { ...snap(10, 'a'), state: 'waiting', awaiting: { kind: 'future', text: 'gather of 2', taskId: null, waitsOn: [11, 12] } }
    const b: TaskSnapshot = { ...snap(11, 'b'), state: 'waiting', awaiting: { kind: 'task', text: 'task #10 a', taskId: 10 } }
    const c: TaskSnapshot = { ...snap(12, 'c'), state: 'waiting', awaiting: { kind: 'sleep', text: 'sleep 1 s', taskId: null } }
    expect(findDeadlocks([a, b, c])).toEqual([]) // c sleeps: the gather can still finish… as far as c goes
    const c2: TaskSnapshot = { ...c, awaiting: { kind: 'task', text: 'task #11 b', taskId: 11 } }
    const found = findDeadlocks([a, b, c2])
    expect(found).toHaveLength(1)
    expect(found[0]).toMatchObject({ kind: 'await-cycle', taskIds: [10, 11], blockedIds: [12] })
  })
})

function snap(id: number, name: string): TaskSnapshot {
  return {
    id, loop: 'run-9', runId: 9, name, parentId: null, state: 'waiting', createdAt: { loop: 0, wall: 0 }, startedAt: null, endedAt: null,
    awaiting: null, cancel: null, deadline: null, error: null, logCount: 0,
  }
}
