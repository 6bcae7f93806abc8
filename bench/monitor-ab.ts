/**
 * The in-app monitor's overhead on some workloads, for A/B comparisons of monitor builds on a shared
 * machine: `node --expose-gc out/bench/monitor-ab.mjs [W ids, comma-separated] [rounds]` runs each
 * workload bare and with a TaskMonitor attached, in turn (the order alternating), each from a
 * collected heap, and prints one JSON line per workload: best wall and CPU ms per mode and the
 * median of the per-round CPU ratios (a slow spell hurts the two runs of a round alike). Build it
 * (and an old tree's copy beside it) with esbuild as scripts/bench.mjs builds the bench.
 */
import { onLoopCreated } from '../src/main/runtime/index'
import { TaskMonitor } from '../src/main/monitor/index'
import { workloads } from './workloads'

const [idsArg = 'W1,W2,W3,W4,W5,W6', roundsArg = '5'] = process.argv.slice(2)
const ids = idsArg.split(',')
let on = false
let deltas = 0
const monitor = new TaskMonitor({ emit: () => void deltas++ })
let n = 0
onLoopCreated((loop) => {
  if (!on) return
  const label = `ab-${++n}`
  monitor.attach(loop, { label, runId: null, rate: null })
  return () => monitor.forget(label)
})

async function once(w: (typeof workloads)[number], watched: boolean): Promise<{ ms: number; cpu: number }> {
  on = watched
  ;(globalThis as { gc?: () => void }).gc?.()
  const t0 = performance.now()
  const c0 = process.cpuUsage()
  await w.run()
  const c = process.cpuUsage(c0)
  on = false
  return { ms: performance.now() - t0, cpu: (c.user + c.system) / 1000 }
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1]!
for (const id of ids) {
  const w = workloads.find((x) => x.id === id)
  if (!w) throw new Error(`no workload ${id}`)
  await once(w, false)
  await once(w, true)
  const bare: { ms: number; cpu: number }[] = []
  const mon: { ms: number; cpu: number }[] = []
  deltas = 0
  for (let r = 0; r < Number(roundsArg); r++) {
    if (r % 2 === 0) {
      bare.push(await once(w, false))
      mon.push(await once(w, true))
    } else {
      mon.push(await once(w, true))
      bare.push(await once(w, false))
    }
  }
  const best = (xs: { ms: number; cpu: number }[], k: 'ms' | 'cpu') => Math.min(...xs.map((x) => x[k]))
  console.log(
    JSON.stringify({
      id,
      bareMs: +best(bare, 'ms').toFixed(1),
      monMs: +best(mon, 'ms').toFixed(1),
      bareCpu: +best(bare, 'cpu').toFixed(1),
      monCpu: +best(mon, 'cpu').toFixed(1),
      wallRatio: +(best(mon, 'ms') / best(bare, 'ms')).toFixed(3),
      cpuRatio: +(best(mon, 'cpu') / best(bare, 'cpu')).toFixed(3),
      medianCpuRatio: +median(mon.map((m, i) => m.cpu / bare[i]!.cpu)).toFixed(3),
      deltas,
    }),
  )
}
