/**
 * One workload in one mode, for CPU profiles: `node --cpu-prof out/bench/profile-one.mjs <workload
 * prefix> <bare|monitor|steps|agent|agent-untimed> [runs]` (the agent modes need a hub URL in
 * LOOPWATCH_APP; `agent-untimed` is watch() with stepTiming false, to tell step timing's share of
 * the agent's cost from the rest).
 */
import { onLoopCreated } from '../src/main/runtime/index'
import { TaskMonitor } from '../src/main/monitor/index'
import { watch } from '../src/agent/watch'
import { workloads } from './workloads'

const [prefix = 'switches', mode = 'bare', runsArg = '3'] = process.argv.slice(2)
const w = workloads.find((x) => x.name.startsWith(prefix))
if (!w) throw new Error(`no workload ${prefix}`)
let deltas = 0
let closeWatch: (() => Promise<void>) | null = null
if (mode === 'monitor' || mode === 'steps') {
  const monitor = new TaskMonitor({ emit: () => void deltas++, ...(mode === 'steps' ? { stepTiming: {} } : {}) })
  let n = 0
  onLoopCreated((loop) => {
    const label = `loop-${++n}`
    monitor.attach(loop, { label, runId: null, rate: null })
    return () => monitor.detach(label)
  })
} else if (mode === 'agent' || mode === 'agent-untimed') {
  const watcher = watch({ name: 'profile', ...(mode === 'agent-untimed' ? { stepTiming: false as const } : {}) })
  while (watcher.connection.status.state !== 'connected') await new Promise((r) => setTimeout(r, 10))
  // The agent's socket and timers are unref'd: hold the process open until bye went out.
  closeWatch = async () => {
    const keep = setInterval(() => {}, 1000)
    await watcher.close({ code: 0, reason: 'done' })
    clearInterval(keep)
  }
}
for (let i = 0; i < Number(runsArg); i++) {
  const t0 = performance.now()
  await w.run()
  console.log(`${w.name} ${mode}: ${(performance.now() - t0).toFixed(1)} ms`)
}
await closeWatch?.()
console.log(`deltas: ${deltas}`)
