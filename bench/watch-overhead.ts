/**
 * What watching costs: each scheduler workload bare, with the in-app TaskMonitor attached, and with
 * the Node agent (watch()) attached and connected to a hub in its own process. The three are taken
 * in turn, round after round (the order rotating), and each keeps its best: on a shared, loaded
 * machine a slow spell then hurts all three alike instead of one column. Targets: TaskMonitor
 * ≤ 25% over bare (issue 13), agent ≤ 15% (issue 9).
 * The two are configured differently, so the columns do not show the same work: the agent shows
 * the hub at most 2,000 new tasks a delta (AGENT_NEW_TASKS_PER_DELTA; W1, W3 and W5 make 100,000
 * at once, W2 10,000: the rest are counted as dropped, never read), folds short tasks past 1,000
 * a delta and sends 1,000 tail segments a delta, and times steps (the monitor column does not:
 * see `--steps`); the monitor column reads every task.
 */
import { spawn } from 'node:child_process'
import { createInterface } from 'node:readline'
import { resolve } from 'node:path'
import { watch } from '../src/agent/watch'
import type { Watcher } from '../src/agent/watch'
import { TaskMonitor } from '../src/main/monitor/index'
import { onLoopCreated } from '../src/main/runtime/index'
import type { Workload } from './workloads'

/** `steps`: the monitor with step timing on (issue 11 §1: target ≤ +10% over `monitor`). */
export const MODES = ['bare', 'monitor', 'steps', 'agent'] as const
export type Mode = (typeof MODES)[number]

export interface OverheadRow {
  name: string
  /** best ms per mode */
  ms: Record<Mode, number>
  /** best CPU ms per mode (user + system, every thread): steadier than wall time on a loaded machine */
  cpuMs: Record<Mode, number>
  /** hub disconnects while the agent ran this workload (a disconnect makes a run look cheaper) */
  disconnects: number
  /** deltas the monitor cut during its best-timed workload runs, all rounds */
  monitorDeltas: number
}

interface BenchHub {
  url: string
  /** resolves when the hub has read a source's last line (its bye): the hub is idle again */
  sourceEnded(): Promise<void>
  stop(): void
}

/** Starts the bench hub (out/bench/hub-process.mjs) and resolves with its URL, sourceEnded() and stop(). */
async function startHub(): Promise<BenchHub> {
  const child = spawn(process.execPath, [resolve(import.meta.dirname, 'hub-process.mjs')], { stdio: ['pipe', 'pipe', 'inherit'] })
  const lines = createInterface({ input: child.stdout })
  const waiting: (() => void)[] = []
  let ended = 0
  const url = await new Promise<string>((done, fail) => {
    lines.once('line', done)
    child.once('exit', (code) => fail(new Error(`the bench hub exited (${code})`)))
  })
  lines.on('line', (line) => {
    if (!line.startsWith('ended ')) return
    const next = waiting.shift()
    if (next) next()
    else ended++
  })
  return {
    url: url.trim(),
    sourceEnded: () =>
      new Promise<void>((done) => {
        if (ended > 0) {
          ended--
          done()
        } else waiting.push(done)
      }),
    stop: () => child.stdin.end(),
  }
}

/**
 * The in-app monitor as the app runs it (60 deltas a second at most), attached to each loop made
 * while `on`. Its deltas go nowhere: what the window does with them is the host's cost, not the
 * monitor's (the agent's column does count its transport: encoding and the socket).
 */
function monitorSwitch(stepTiming = false): { on: boolean; deltas: number; off: () => void } {
  const state = { on: false, deltas: 0, off: () => {} }
  const monitor = new TaskMonitor({ emit: () => void state.deltas++, ...(stepTiming ? { stepTiming: {} } : {}) })
  let n = 0
  const unsubscribe = onLoopCreated((loop) => {
    if (!state.on) return
    const label = `bench-${++n}`
    monitor.attach(loop, { label, runId: null, rate: null })
    // Forgotten when the run ends: 50,000 retained tasks would slow the next run's GC, whichever
    // mode it is, and blur the columns.
    return () => monitor.forget(label)
  })
  state.off = () => {
    unsubscribe()
    monitor.dispose()
  }
  return state
}

function withTimeout(p: Promise<void>, ms: number, what: string): Promise<void> {
  let timer: ReturnType<typeof setTimeout> | undefined
  return Promise.race([p, new Promise<void>((_, fail) => (timer = setTimeout(() => fail(new Error(what)), ms)))]).finally(() => clearTimeout(timer))
}

async function connected(watcher: Watcher): Promise<void> {
  const deadline = Date.now() + 5_000
  while (watcher.connection.status.state !== 'connected') {
    if (Date.now() > deadline) throw new Error(`the agent did not connect: ${JSON.stringify(watcher.connection.status)}`)
    await new Promise((r) => setTimeout(r, 5))
  }
}

/** Rows for every workload: best of `rounds` per mode, after one warm-up run of each. */
export async function watchOverhead(workloads: Workload[], rounds = 5, modes: readonly Mode[] = ['bare', 'monitor', 'agent']): Promise<OverheadRow[]> {
  const hub = modes.includes('agent') ? await startHub() : null
  const monitor = monitorSwitch()
  const steps = monitorSwitch(true)
  const drops: string[] = []
  // The socket and timers of a watcher are unref'd; this keeps the process up while one closes.
  const keepAlive = setInterval(() => {}, 1_000)
  try {
    const rows: OverheadRow[] = []
    for (const w of workloads) {
      const best: Record<Mode, number> = { bare: Infinity, monitor: Infinity, steps: Infinity, agent: Infinity }
      const bestCpu: Record<Mode, number> = { bare: Infinity, monitor: Infinity, steps: Infinity, agent: Infinity }
      const dropsBefore = drops.length
      for (let round = -1; round < rounds; round++) {
        for (let k = 0; k < modes.length; k++) {
          const mode = modes[(k + Math.max(0, round)) % modes.length]!
          let watcher: Watcher | null = null
          if (mode === 'agent' && hub !== null) {
            watcher = watch({ name: 'bench', app: hub.url, onStatus: (st) => void (st.state === 'waiting' && drops.push(st.why)) })
            await connected(watcher)
          }
          monitor.on = mode === 'monitor'
          steps.on = mode === 'steps'
          // Each run starts from a collected heap (scripts/bench.mjs passes --expose-gc), so one
          // mode's garbage is not collected on the next one's time.
          ;(globalThis as { gc?: () => void }).gc?.()
          const heapBefore = process.memoryUsage().heapUsed
          const t0 = performance.now()
          const c0 = process.cpuUsage()
          await w.run()
          const ms = performance.now() - t0
          const c1 = process.cpuUsage(c0)
          const cpuMs = (c1.user + c1.system) / 1000
          monitor.on = false
          steps.on = false
          if (process.env['BENCH_DEBUG']) console.log(`  ${w.name.split(':')[0]} round ${round} ${mode}: ${ms.toFixed(1)} ms, heap before ${(heapBefore / 1e6).toFixed(1)} MB`)
          if (watcher) {
            await watcher.close({ code: 0, reason: 'bench round done' })
            // The hub (the other core) must have read everything sent before the next run starts:
            // a fixed pause was too short after a big workload, and the next (often bare) run then
            // shared the machine with a busy hub. Its bye is read last; then the hub is idle.
            await withTimeout(hub!.sourceEnded(), 60_000, 'the bench hub did not see the agent leave')
          }
          if (round >= 0) {
            best[mode] = Math.min(best[mode], ms)
            bestCpu[mode] = Math.min(bestCpu[mode], cpuMs)
          }
        }
      }
      rows.push({ name: w.name, ms: best, cpuMs: bestCpu, disconnects: drops.length - dropsBefore, monitorDeltas: monitor.deltas })
      monitor.deltas = 0
      steps.deltas = 0
    }
    for (const why of new Set(drops)) console.log(`agent disconnected: ${why}`)
    return rows
  } finally {
    clearInterval(keepAlive)
    monitor.off()
    steps.off()
    hub?.stop()
  }
}

/** The geometric mean of watched ÷ bare over the rows, as an overhead fraction (0.1 = 10%). */
export function geomeanOverhead(rows: OverheadRow[], mode: Exclude<Mode, 'bare'>, base: Mode = 'bare'): number {
  const logSum = rows.reduce((s, r) => s + Math.log(r.ms[mode] / r.ms[base]), 0)
  return Math.exp(logSum / rows.length) - 1
}
