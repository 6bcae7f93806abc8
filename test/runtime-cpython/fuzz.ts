/**
 * Random asyncio programs, run on the runtime and (by fuzz.py) on CPython: a seeded generator of
 * small programs — tasks that sleep (with many equal deadlines), cancel, await, fail, waitFor,
 * shield, gather, open timeout scopes and catch cancellations — and the TS interpreter of them.
 * Tasks only refer to tasks spawned before them, so every program terminates.
 */
import { spawnSync } from 'node:child_process'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import type { Task } from '../../src/main/runtime/index'
import {
  CancelledError,
  Event,
  Lock,
  Queue,
  Semaphore,
  TaskGroupError,
  TimeoutError,
  VirtualClock,
  createTask,
  currentTask,
  gather,
  getRunningLoop,
  run,
  shield,
  sleep,
  taskGroup,
  timeout,
  waitFor,
} from '../../src/main/runtime/index'
import { ValueError, err, fmt, oracleDir } from './cpython'
import { prng } from '../support/prng'

export type Op =
  | ['sleep', number]
  | ['log', string]
  | ['spawn', TaskSpec]
  | ['cancel', string]
  | ['await', string]
  | ['fail', string]
  | ['waitFor', string, number]
  | ['shield', string]
  | ['gather', string[], boolean]
  | ['timeout', number, Op[]]
  | ['guard', Op[], boolean]
  | ['uncancel']
  | ['waitForSleep', number, number]
  | ['cancelLater', string, number]
  | ['child', TaskSpec]
  | ['qput', string, number]
  | ['qget', number]
  | ['locked', number, number]
  | ['sem', number, number]
  | ['evset']
  | ['evclear']
  | ['evwait', number]
  | ['group', TaskSpec[], Op[]]

export interface TaskSpec {
  name: string
  ops: Op[]
}

export interface Program {
  seed: number
  main: Op[]
}

/** A random program: main spawns T1..Tn (sleeping in between), then acts on them; `scale` grows it. */
export function generate(seed: number, scale = 1): Program {
  const rnd = prng(seed)
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)]!
  const delays = [0, 0, 1, 2, 3, 5] as const
  const n = 2 + Math.floor(rnd() * 6 * scale)
  let logs = 0
  let children = 0
  const ops = (self: string | null, earlier: string[], depth: number, count: number): Op[] => {
    const out: Op[] = []
    for (let i = 0; i < count; i++) {
      const r = rnd()
      const other = earlier.length > 0 ? pick(earlier) : null
      if (r < 0.3 || other === null) out.push(['sleep', pick(delays)])
      else if (r < 0.38) out.push(['log', `note${++logs}`])
      else if (r < 0.48) out.push(['cancel', rnd() < 0.15 && self !== null ? self : other])
      else if (r < 0.58) out.push(['await', other])
      else if (r < 0.66) out.push(['waitFor', other, pick(delays)])
      else if (r < 0.71) out.push(['shield', other])
      else if (r < 0.78) out.push(['gather', [...new Set([other, pick(earlier)])], rnd() < 0.5])
      else if (r < 0.88 && depth < 2) out.push(['timeout', pick(delays), ops(self, earlier, depth + 1, 1 + Math.floor(rnd() * 3))])
      else if (r < 0.9 && depth === 0 && self !== null) {
        // children only sleep, log and fail: CPython cancels a group's children in set order,
        // so what they do when cancelled must not depend on that order
        const kids: TaskSpec[] = []
        const m = 1 + Math.floor(rnd() * 3)
        for (let k = 0; k < m; k++) {
          const kops: Op[] = []
          for (let j = 0; j < 1 + Math.floor(rnd() * 3); j++) kops.push(rnd() < 0.8 ? ['sleep', pick(delays)] : ['log', `note${++logs}`])
          if (rnd() < 0.3) kops.push(['fail', `${self}.g${children + 1} failed`])
          kids.push({ name: `${self}.g${++children}`, ops: kops })
        }
        out.push(['group', kids, ops(self, earlier, depth + 1, 1 + Math.floor(rnd() * 2))])
      } else if (r < 0.93 && depth < 2) out.push(['guard', ops(self, earlier, depth + 1, 1 + Math.floor(rnd() * 3)), rnd() < 0.5])
      else if (r < 0.95) {
        const k = rnd()
        if (k < 0.2) out.push(['waitForSleep', pick(delays), pick(delays)])
        else if (k < 0.4) out.push(['qput', `i${++logs}`, pick(delays)])
        else if (k < 0.6) out.push(['qget', pick(delays)])
        else if (k < 0.68) out.push(['locked', pick(delays), pick(delays)])
        else if (k < 0.75) out.push(['sem', pick(delays), pick(delays)])
        else if (k < 0.85) out.push(['evwait', pick(delays)])
        else if (k < 0.95) out.push(['evset'])
        else out.push(['evclear'])
      }
      else if (r < 0.97) out.push(['cancelLater', other, pick(delays)])
      else if (r < 0.985 && self !== null) out.push(['uncancel'])
      else if (self !== null && depth < 2) out.push(['child', { name: `${self}.c${++children}`, ops: ops(null, earlier, depth + 1, 1 + Math.floor(rnd() * 3)) }])
      else out.push(['sleep', pick(delays)])
    }
    if (self !== null && rnd() < 0.12) out.push(['fail', `${self} failed`])
    return out
  }
  const main: Op[] = []
  const names: string[] = []
  for (let i = 1; i <= n; i++) {
    const name = `T${i}`
    main.push(['spawn', { name, ops: ops(name, [...names], 0, 2 + Math.floor(rnd() * 4 * scale)) }])
    names.push(name)
    if (rnd() < 0.5) main.push(['sleep', pick(delays)])
  }
  main.push(...ops(null, names, 0, 2 + Math.floor(rnd() * 4 * scale)))
  return { seed, main }
}

/** Runs a program on the runtime (VirtualClock, time printed in program units = ms). */
export async function runTs(prog: Program): Promise<string[]> {
  const clock = new VirtualClock()
  const out: string[] = []
  const log = (...parts: unknown[]): void => {
    out.push([String(clock.now()), ...parts.map((p) => (typeof p === 'boolean' ? (p ? 'True' : 'False') : String(p)))].join(' '))
  }
  const reg = new Map<string, Task<unknown>>()
  const queue = new Queue<string>(2)
  const lock = new Lock()
  const semaphore = new Semaphore(2)
  const event = new Event()
  const get = (n: string): Task<unknown> => reg.get(n)!
  const outcome = async (aw: PromiseLike<unknown>): Promise<string> => {
    try {
      return fmt(await aw)
    } catch (e) {
      if (e instanceof CancelledError) return 'CancelledError'
      if (e instanceof TimeoutError || e instanceof ValueError) return err(e)
      throw e
    }
  }
  const runOps = async (name: string, ops: Op[]): Promise<void> => {
    for (const op of ops) {
      switch (op[0]) {
        case 'sleep':
          await sleep(op[1])
          break
        case 'log':
          log(name, op[1])
          break
        case 'spawn': {
          const spec = op[1]
          reg.set(spec.name, createTask(() => body(spec)))
          break
        }
        case 'cancel':
          log(name, 'cancel', op[1], get(op[1]).cancel())
          break
        case 'await':
          log(name, 'await', op[1], '->', await outcome(get(op[1])))
          break
        case 'fail':
          throw new ValueError(op[1])
        case 'waitFor':
          log(name, 'waitFor', op[1], op[2], '->', await outcome(waitFor(get(op[1]), op[2])))
          break
        case 'shield':
          log(name, 'shield', op[1], '->', await outcome(shield(get(op[1]))))
          break
        case 'gather': {
          const g = gather(op[1].map(get), { returnExceptions: op[2] })
          log(name, 'gather', op[1].join(','), op[2], '->', await outcome(g))
          break
        }
        case 'timeout':
          try {
            await timeout(op[1], () => runOps(name, op[2]))
            log(name, 'timeout block done')
          } catch (e) {
            if (!(e instanceof TimeoutError)) throw e
            log(name, 'timeout expired')
          }
          break
        case 'guard':
          try {
            await runOps(name, op[1])
          } catch (e) {
            if (!(e instanceof CancelledError)) throw e
            log(name, 'caught cancel, cancelling', currentTask()!.cancelling())
            if (!op[2]) throw e
          }
          break
        case 'uncancel':
          log(name, 'uncancel ->', currentTask()!.uncancel())
          break
        case 'waitForSleep':
          log(name, 'waitFor sleep', op[1], op[2], '->', await outcome(waitFor(() => sleep(op[1], 'slept'), op[2])))
          break
        case 'cancelLater': {
          const target = op[1]
          getRunningLoop().callLater(op[2], () => log('callback cancel', target, get(target).cancel()))
          break
        }
        case 'child':
          reg.set(op[1].name, createTask(() => body(op[1])))
          break
        case 'qput':
          log(name, 'put', op[1], op[2], '->', await outcome(waitFor(() => queue.put(op[1]), op[2])), 'size', queue.qsize())
          break
        case 'qget':
          log(name, 'get', op[1], '->', await outcome(waitFor(() => queue.get(), op[1])), 'size', queue.qsize())
          break
        case 'locked': {
          const got = await outcome(waitFor(() => lock.acquire(), op[1]))
          log(name, 'acquire', op[1], '->', got)
          if (got === 'true') {
            try {
              await sleep(op[2])
            } finally {
              lock.release()
              log(name, 'released')
            }
          }
          break
        }
        case 'sem': {
          const got = await outcome(waitFor(() => semaphore.acquire(), op[1]))
          log(name, 'sem acquire', op[1], '->', got, 'locked', semaphore.locked())
          if (got === 'true') {
            try {
              await sleep(op[2])
            } finally {
              semaphore.release()
              log(name, 'sem released')
            }
          }
          break
        }
        case 'evset':
          event.set()
          log(name, 'set event')
          break
        case 'evclear':
          event.clear()
          log(name, 'cleared event')
          break
        case 'group':
          try {
            await taskGroup(async (tg) => {
              for (const kid of op[1]) tg.createTask(() => body(kid), { name: kid.name })
              await runOps(name, op[2])
            })
            log(name, 'group done')
          } catch (e) {
            if (!(e instanceof TaskGroupError)) throw e
            log(name, 'group raised', err(e))
          }
          break
        case 'evwait':
          log(name, 'event wait', op[1], '->', await outcome(waitFor(() => event.wait(), op[1])))
          break
      }
    }
  }
  const body = async (spec: TaskSpec): Promise<string> => {
    try {
      await runOps(spec.name, spec.ops)
    } catch (e) {
      if (e instanceof CancelledError) log(spec.name, 'ends cancelled')
      else log(spec.name, 'fails', (e as Error).message)
      throw e
    }
    log(spec.name, 'returns')
    return spec.name
  }
  try {
    await run(
      async () => {
        await runOps('main', prog.main)
        for (;;) {
          const left = [...reg.values()].filter((t) => !t.done())
          if (left.length === 0) break
          await gather(left, { returnExceptions: true })
        }
        for (const n of [...reg.keys()].sort()) {
          const t = get(n)
          log('final', n, t.cancelled() ? 'cancelled' : t.exception() !== null ? 'failed' : 'done')
        }
      },
      { clock },
    )
  } catch (e) {
    out.push(`main raised ${err(e)}`)
  }
  return out
}

/** Runs the programs on CPython (one process); returns each program's trace by seed. */
export function runPython(progs: Program[]): Map<number, string[]> {
  const here = path.dirname(fileURLToPath(import.meta.url))
  const r = spawnSync('python3', [path.join(here, 'fuzz.py')], {
    input: JSON.stringify(progs),
    encoding: 'utf8',
    env: { ...process.env, PYTHONPATH: [here, oracleDir].join(path.delimiter), PYTHONDONTWRITEBYTECODE: '1' },
    timeout: 60_000,
    maxBuffer: 64 * 1024 * 1024,
  })
  if (r.error) throw new Error(`could not run python3 (the CPython comparison needs python3 ≥ 3.11 on PATH): ${r.error.message}`)
  if (r.status !== 0) throw new Error(`fuzz.py exited ${r.status}:\n${r.stderr.slice(0, 4000)}`)
  const traces = new Map<number, string[]>()
  let cur: string[] | null = null
  for (const line of r.stdout.split('\n')) {
    if (line.startsWith('=== ')) {
      cur = []
      traces.set(Number(line.slice(4)), cur)
    } else if (line.length > 0) cur?.push(line)
  }
  return traces
}
