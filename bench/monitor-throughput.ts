/**
 * How many task state changes a second the TaskMonitor turns into batched deltas (issue 13: ≥ 1M).
 * The runtime calls the monitor's instrument twice per step; here the same calls are made
 * directly, as fast as the monitor takes them, for 1,000 real tasks of a real loop (each change
 * closes a segment, as running ↔ waiting does), and a delta is cut every 1/60 of the changes, as
 * 60 deltas a second would at 1M changes a second. The figure is changes ÷ the CPU time of all of
 * it: recording each change and cutting, filling and emitting the deltas.
 */
import { Event, EventLoop, VirtualClock } from '../src/main/runtime/index'
import type { Instrument, Task } from '../src/main/runtime/index'
import { TaskMonitor } from '../src/main/monitor/index'

export interface Throughput {
  tasks: number
  changes: number
  deltas: number
  /** segments the deltas carried (a busy task's tail is capped per delta: the rest is the gap) */
  segments: number
  cpuMs: number
  perSecond: number
}

/** Best of `runs`: `changes` state changes over `tasks` tasks, `deltasPerRun` deltas cut evenly. */
export async function monitorThroughput(tasks = 1_000, changes = 3_000_000, runs = 3): Promise<Throughput> {
  let best: Throughput | null = null
  for (let r = 0; r < runs; r++) {
    const loop = new EventLoop({ clock: new VirtualClock() })
    let deltas = 0
    let segments = 0
    const monitor = new TaskMonitor({
      emit: (d) => {
        deltas++
        for (const a of d.segments ?? []) segments += a.segments.length
      },
    })
    // The monitor's instrument, to call as the runtime does.
    let instrument: Instrument | null = null
    const add = loop.addInstrument.bind(loop)
    loop.addInstrument = (i) => ((instrument = i), add(i))
    const ev = new Event()
    let ts: Task<unknown>[] = []
    const done = loop.runUntilComplete(async () => {
      ts = Array.from({ length: tasks }, () => loop.createTask(() => ev.wait()))
      await ev.wait()
    })
    // Every task blocked on the event (the loop idles: the virtual clock has nothing to run).
    await new Promise((r) => setImmediate(r))
    monitor.attach(loop, { label: 'throughput', runId: null, rate: null })
    monitor.flushNow()
    const changed = instrument!.taskStateChanged!.bind(instrument)
    const every = Math.ceil(changes / 60)
    ;(globalThis as { gc?: () => void }).gc?.()
    const cpu0 = process.cpuUsage()
    for (let i = 0; i < changes; i++) {
      const t = ts[i % tasks]!
      // Each task goes running → waiting → running …: every call closes a segment.
      if (((i / tasks) | 0) % 2 === 0) changed(t, 'waiting', 'running')
      else changed(t, 'running', 'waiting')
      if ((i + 1) % every === 0) monitor.flushNow()
    }
    monitor.flushNow()
    const c = process.cpuUsage(cpu0)
    const cpuMs = (c.user + c.system) / 1000
    monitor.dispose()
    ev.set()
    await done
    const run: Throughput = { tasks, changes, deltas, segments, cpuMs, perSecond: changes / (cpuMs / 1000) }
    if (best === null || run.perSecond > best.perSecond) best = run
  }
  return best!
}
