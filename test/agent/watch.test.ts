import { execFile } from 'node:child_process'
import { promisify } from 'node:util'
import { afterEach, describe, expect, it } from 'vitest'
import { MAX_REMOVED_LOOPS_KEPT, watch } from '../../src/agent/watch'
import type { Watcher } from '../../src/agent/watch'
import { CancelledError, EventLoop, VirtualClock, createTask, run, sleep } from '../../src/main/runtime/index'
import { appUrl } from '../../src/shared/agent-protocol/index'
import { AgentHub } from '../../src/main/hub/index'
import { eventually, startHub, tempDir } from '../hub/hub-helper'

let watcher: Watcher | null = null
afterEach(async () => {
  await watcher?.close()
  watcher = null
})

const taskNamed = (hub: AgentHub, name: string) => hub.tasks('agent-1').find((t) => t.task.name === name)?.task

/** A program: a poller looping on 20 ms sleeps until cancelled, then printing its cleanup line. */
async function poller(w: Watcher, out: string[]): Promise<void> {
  try {
    for (;;) await sleep(20)
  } catch (error) {
    if (!(error instanceof CancelledError)) throw error
    out.push('poller: cleaned up')
    w.log('stdout', 'poller: cleaned up')
    throw error
  }
}

describe('watch()', () => {
  it('shows every task of a loop made after it, in a source named as asked', async () => {
    const hub = await startHub()
    watcher = watch({ name: 'my-service', app: appUrl(hub) })
    await eventually(() => watcher!.connection.status.state === 'connected')
    const result = await run(async () => {
      const a = createTask(() => sleep(30), { name: 'fetch-a' })
      const b = createTask(() => sleep(40), { name: 'fetch-b' })
      await a
      await b
      return 'ok'
    })
    expect(result).toBe('ok')
    await eventually(() => taskNamed(hub, 'fetch-b')?.state === 'done' && taskNamed(hub, 'main')?.state === 'done')
    expect(hub.source('agent-1')).toMatchObject({ name: 'my-service', pid: process.pid })
    expect(hub.tasks('agent-1').map((t) => t.task.name).sort()).toEqual(['fetch-a', 'fetch-b', 'main'])
    // The loop ended: its removal reached the hub.
    await eventually(() => hub.source('agent-1')!.loops.length === 0)
  })

  it('a cancel from the hub ends the task cancelled with its reason, after its cleanup line', async () => {
    const hub = await startHub()
    watcher = watch({ app: appUrl(hub) })
    const out: string[] = []
    const w = watcher
    const done = run(async () => {
      const t = createTask(() => poller(w, out), { name: 'poller' })
      try {
        await t
      } catch (error) {
        if (!(error instanceof CancelledError)) throw error
      }
      return t.cancelled()
    })
    await eventually(() => taskNamed(hub, 'poller')?.state === 'waiting')
    const id = taskNamed(hub, 'poller')!.id
    const outcome = await hub.sendCommand('agent-1', { type: 'cancel', taskId: id, reason: 'from the window' })
    expect(outcome).toMatchObject({ ok: true, value: { id, name: 'poller', cancel: { source: 'user', reason: 'from the window' } } })
    expect(await done).toBe(true)
    await eventually(() => taskNamed(hub, 'poller')?.state === 'cancelled')
    expect(taskNamed(hub, 'poller')!.cancel).toMatchObject({ source: 'user', reason: 'from the window' })
    await eventually(() => hub.logs('agent-1').some((l) => l.line === 'poller: cleaned up' && l.taskId === id))
    expect(out).toEqual(['poller: cleaned up'])
    // A task that has ended is answered with a typed error.
    expect(await hub.sendCommand('agent-1', { type: 'cancel', taskId: id, reason: null })).toMatchObject({ ok: false, error: { code: 'already_done' } })
  })

  it('a deadline set from the hub fires (and one cleared does not)', async () => {
    const hub = await startHub()
    watcher = watch({ app: appUrl(hub) })
    const w = watcher
    const out: string[] = []
    const done = run(async () => {
      const fired = createTask(() => poller(w, out), { name: 'fired' })
      const cleared = createTask(() => sleep(400), { name: 'cleared' })
      const settled = await Promise.allSettled([fired, cleared])
      return settled.map((s) => s.status)
    })
    await eventually(() => taskNamed(hub, 'fired')?.state === 'waiting' && taskNamed(hub, 'cleared')?.state === 'waiting')
    const fired = taskNamed(hub, 'fired')!.id
    const cleared = taskNamed(hub, 'cleared')!.id
    expect(await hub.sendCommand('agent-1', { type: 'deadline:set', taskId: cleared, inMs: 100 })).toMatchObject({ ok: true, value: { deadline: { at: {} } } })
    expect(await hub.sendCommand('agent-1', { type: 'deadline:clear', taskId: cleared })).toMatchObject({ ok: true, value: { deadline: null } })
    expect(await hub.sendCommand('agent-1', { type: 'deadline:set', taskId: fired, inMs: 50 })).toMatchObject({ ok: true })
    expect(await done).toEqual(['rejected', 'fulfilled'])
    await eventually(() => taskNamed(hub, 'fired')?.state === 'cancelled' && taskNamed(hub, 'cleared')?.state === 'done')
    expect(taskNamed(hub, 'fired')!.cancel?.source).toBe('deadline')
    expect(out).toEqual(['poller: cleaned up'])
  })

  it('stop shuts every loop down within its grace, reports, and says bye', async () => {
    const hub = await startHub()
    watcher = watch({ app: appUrl(hub) })
    const w = watcher
    const out: string[] = []
    const done = run(async () => {
      createTask(() => poller(w, out), { name: 'poller' })
      await sleep(60_000)
    }).then(
      () => 'finished',
      (e: unknown) => (e instanceof CancelledError ? 'cancelled' : String(e)),
    )
    await eventually(() => taskNamed(hub, 'poller')?.state === 'waiting')
    const outcome = await hub.sendCommand('agent-1', { type: 'stop', graceMs: 2_000 })
    expect(outcome.ok).toBe(true)
    if (!outcome.ok) return
    expect(outcome.value.forced).toEqual([])
    expect(outcome.value.finished.map((f) => [f.name, f.state]).sort()).toEqual([['main', 'cancelled'], ['poller', 'cancelled']])
    expect(await done).toBe('cancelled')
    expect(out).toEqual(['poller: cleaned up'])
    await eventually(() => hub.source('agent-1')?.state === 'exited')
    expect(hub.source('agent-1')!.exit!.reason).toMatch(/^stopped from the app: 2 finished, 0 forced/)
  })

  it('a program that closes its watcher as soon as the stop cancels it still lets the stop answer first (loopwatch worker does so)', async () => {
    const hub = await startHub()
    watcher = watch({ app: appUrl(hub) })
    const w = watcher
    const done = run(async () => {
      await sleep(60_000)
    }).catch(async (e: unknown) => {
      // run() rejected because the app's stop cancelled main: the program ends its watching at once.
      await w.close({ code: 0, reason: 'program ended' })
      return e instanceof CancelledError ? 'cancelled' : String(e)
    })
    await eventually(() => taskNamed(hub, 'main')?.state === 'waiting')
    const outcome = await hub.sendCommand('agent-1', { type: 'stop', graceMs: 2_000 })
    expect(outcome.ok, JSON.stringify(outcome)).toBe(true)
    expect(await done).toBe('cancelled')
    await eventually(() => hub.source('agent-1')?.state === 'exited')
  })

  it('an app-closing notice is noted in one line; the service keeps running, connected, and says role service in its hello', async () => {
    const hub = await startHub()
    const notes: string[] = []
    watcher = watch({ name: 'svc', app: appUrl(hub), note: (line) => notes.push(line) })
    await eventually(() => watcher!.connection.status.state === 'connected')
    expect(hub.source('agent-1')?.role).toBe('service')
    const done = run(async () => {
      await sleep(80)
      return 'still running'
    })
    expect(hub.notify('agent-1', 'app-closing', 'the app is shutting down gracefully and leaves this service running')).toBe(true)
    await eventually(() => notes.length > 0)
    expect(notes).toEqual(['loopwatch: the app is shutting down gracefully and leaves this service running; this process keeps running and reconnects when the app is back'])
    expect(await done).toBe('still running')
    expect(watcher.connection.status.state).toBe('connected')
  })

  it('adopts the loops made before it, with the tasks they already run, and sees them close', async () => {
    const hub = await startHub()
    const closedBefore = new EventLoop({ clock: new VirtualClock() })
    closedBefore.close()
    const gate = { open: false }
    // run() began before watch(): its loop and its task exist already.
    const done = run(async () => {
      const t = createTask(async () => {
        while (!gate.open) await sleep(10)
      }, { name: 'early-bird' })
      await t
    })
    await eventually(() => true)
    watcher = watch({ app: appUrl(hub) })
    const later = new EventLoop({ clock: new VirtualClock() })
    expect(watcher.loops()).toHaveLength(2)
    expect(watcher.loops()).not.toContain(closedBefore)
    expect(watcher.loops().at(-1)).toBe(later)
    await eventually(() => taskNamed(hub, 'early-bird')?.state === 'waiting' && taskNamed(hub, 'main') !== undefined)
    gate.open = true
    await done
    later.close()
    await eventually(() => taskNamed(hub, 'early-bird')?.state === 'done' && hub.source('agent-1')!.loops.length === 0)
    expect(watcher.loops()).toEqual([])
  })
})

describe('watch() with no app', () => {
  it('the program prints the same and returns the same as without the agent', async () => {
    const program = async (out: string[]) =>
      run(
        async () => {
          const workers = [1, 2, 3].map((i) =>
            createTask(async () => {
              for (let n = 0; n < 3; n++) {
                out.push(`worker-${i} round ${n}`)
                await sleep(1000 * i)
              }
              return i
            }, { name: `worker-${i}` }),
          )
          let sum = 0
          for (const w of workers) sum += await w
          return sum
        },
        { clock: new VirtualClock() },
      )
    const bare: string[] = []
    const bareResult = await program(bare)
    // A port nothing listens on: the agent keeps retrying in the background.
    watcher = watch({ app: 'tcp://127.0.0.1:1?token=nobody', backoff: { initialMs: 5, maxMs: 20 } })
    const watched: string[] = []
    expect(await program(watched)).toBe(bareResult)
    expect(watched).toEqual(bare)
    expect(watcher.connection.status.state).not.toBe('connected')
  })
})

describe('watch() with more live tasks than the hub keeps', () => {
  it('with newTasksPerDelta at the hub\'s bound, shows the first 20,000 and hides the rest, so the hub never refuses a delta and the agent stays connected', { timeout: 60_000 }, async () => {
    const hub = await startHub()
    const states: string[] = []
    watcher = watch({ app: appUrl(hub), newTasksPerDelta: 20_000, onStatus: (s) => states.push(s.state) })
    await eventually(() => watcher!.connection.status.state === 'connected')
    const gate = { open: false }
    const done = run(async () => {
      const tasks = Array.from({ length: 25_000 }, (_, i) =>
        createTask(async () => {
          while (!gate.open) await sleep(20)
        }, { name: `t${i}` }),
      )
      await eventually(() => hub.source('agent-1')!.taskCount >= 20_000, 30_000)
      gate.open = true
      for (const t of tasks) await t
    })
    await done
    await eventually(() => hub.tasks('agent-1').some((t) => t.task.name === 'main' && t.task.state === 'done'), 30_000)
    expect(states.filter((s) => s === 'waiting')).toEqual([])
    expect(hub.source('agent-1')!.state).toBe('connected')
    expect(hub.source('agent-1')!.taskCount).toBeLessThanOrEqual(20_000)
  })

  it('100,000 short tasks in a row: the hub forgets old ended ones, the agent never names one it forgot, and stays connected', { timeout: 60_000 }, async () => {
    const hub = await startHub()
    const states: string[] = []
    watcher = watch({ app: appUrl(hub), onStatus: (s) => states.push(s.state) })
    await eventually(() => watcher!.connection.status.state === 'connected')
    for (let round = 0; round < 2; round++) {
      await run(async () => {
        const tasks = Array.from({ length: 50_000 }, (_, i) => createTask(async () => i, { name: `t${i}` }))
        for (const t of tasks) await t
        await sleep(300) // real time: deltas go out meanwhile
        await createTask(async () => {}, { name: `end-${round}` })
      })
    }
    await eventually(() => hub.tasks('agent-1').some((t) => t.task.name === 'end-1' && t.task.state === 'done'), 30_000)
    expect(states.filter((s) => s === 'waiting')).toEqual([])
    expect(hub.source('agent-1')!.state).toBe('connected')
  })
})


describe('watch() after the app restarts', () => {
  it('resyncs without an error from the hub: the live loop with its tasks, and the ended loop\'s last tasks under a loop:added/loop:removed pair', async () => {
    const dataDir = await tempDir()
    const first = await AgentHub.start({ dataDir })
    watcher = watch({ dataDir, backoff: { initialMs: 10, maxMs: 50 } })
    await eventually(() => watcher!.connection.status.state === 'connected')
    // A loop made and closed: its loop:removed reached the first hub.
    await run(async () => {
      await createTask(() => sleep(5), { name: 'finished-early' })
    })
    await eventually(() => first.tasks('agent-1').some((t) => t.task.name === 'finished-early' && t.task.state === 'done') && first.source('agent-1')!.loops.length === 0)
    const gate = { open: false }
    const done = run(async () => {
      await createTask(async () => {
        while (!gate.open) await sleep(10)
      }, { name: 'still-running' })
    })
    await eventually(() => first.tasks('agent-1').some((t) => t.task.name === 'still-running'))
    await first.close()
    await eventually(() => watcher!.connection.status.state === 'waiting')
    const second = await startHub({ dataDir })
    await eventually(() => second.tasks('agent-1').some((t) => t.task.name === 'still-running' && t.task.state === 'waiting'))
    const source = second.source('agent-1')!
    expect(source.errors).toBe(0)
    expect(source.state).toBe('connected')
    expect(source.loops.map((l) => l.label)).toEqual(['loop-2'])
    expect(second.tasks('agent-1').map((t) => [t.task.name, t.task.state]).sort()).toEqual([['finished-early', 'done'], ['main', 'done'], ['main', 'waiting'], ['still-running', 'waiting']])
    gate.open = true
    await done
    await eventually(() => second.tasks('agent-1').some((t) => t.task.name === 'still-running' && t.task.state === 'done') && second.source('agent-1')!.loops.length === 0)
    expect(second.source('agent-1')!.errors).toBe(0)
  })
})

describe('watch() after the app restarts, with more ended loops than it keeps', () => {
  it(`re-announces the last ${MAX_REMOVED_LOOPS_KEPT} ended loops and counts the tasks of older ones as dropped, with no error from the hub`, { timeout: 60_000 }, async () => {
    const dataDir = await tempDir()
    const first = await AgentHub.start({ dataDir })
    watcher = watch({ dataDir, backoff: { initialMs: 10, maxMs: 50 } })
    await eventually(() => watcher!.connection.status.state === 'connected')
    const loops = MAX_REMOVED_LOOPS_KEPT + 3
    // Each run() is a loop with one task (main), closed at once.
    for (let i = 0; i < loops; i++) await run(async () => i, { clock: new VirtualClock() })
    await eventually(() => first.source('agent-1')!.taskCount === loops && first.source('agent-1')!.loops.length === 0, 30_000)
    await first.close()
    await eventually(() => watcher!.connection.status.state === 'waiting')
    const second = await startHub({ dataDir })
    await eventually(() => second.source('agent-1')?.taskCount === MAX_REMOVED_LOOPS_KEPT, 30_000)
    expect(second.source('agent-1')).toMatchObject({ state: 'connected', errors: 0, dropped: 3, loops: [] })
  })
})

describe('watch() in a program of its own', () => {
  it('await watcher.close() as the last top-level await settles: the program exits 0 and its bye reaches the hub', async () => {
    const hub = await startHub()
    const program = `
      import { watch } from ${JSON.stringify(new URL('../../src/agent/index.ts', import.meta.url).pathname)}
      import { run, sleep, createTask } from ${JSON.stringify(new URL('../../src/main/runtime/index.ts', import.meta.url).pathname)}
      const w = watch({ name: 'closer', app: ${JSON.stringify(appUrl(hub))} })
      await run(async () => {
        while (w.connection.status.state !== 'connected') await sleep(10)
        await createTask(() => sleep(5), { name: 'work' })
      })
      await w.close({ code: 0, reason: 'done' })
      console.log('closed')`
    const outcome = await promisify(execFile)(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', program], { timeout: 20_000 }).then(
      ({ stdout, stderr }) => ({ code: 0, stdout, stderr }),
      (e: { code?: number; stdout?: string; stderr?: string }) => ({ code: e.code, stdout: e.stdout, stderr: e.stderr }),
    )
    expect(outcome).toEqual({ code: 0, stdout: 'closed\n', stderr: '' })
    await eventually(() => hub.source('agent-1')?.state === 'exited')
    expect(hub.source('agent-1')!.exit).toMatchObject({ code: 0, reason: 'done' })
  })
})
