/**
 * W2's shape for CPU profiles and GC share: `node --cpu-prof out/bench/profile-switches.mjs <tasks>
 * <sleeps per task> [runs]` (bundle it as scripts/bench.mjs does). Prints each run's wall and CPU time.
 */
import { switches } from './workloads'

const [tasks = '10000', sleeps = '100', runs = '3'] = process.argv.slice(2)
for (let i = 0; i < Number(runs); i++) {
  const t0 = performance.now()
  const cpu0 = process.cpuUsage()
  await switches(Number(tasks), Number(sleeps))
  const cpu = process.cpuUsage(cpu0)
  // CPU time (all threads: GC helpers too) says more than wall time on a loaded machine
  console.log(`${tasks} tasks × ${sleeps} sleep(0): ${(performance.now() - t0).toFixed(1)} ms, cpu ${((cpu.user + cpu.system) / 1000).toFixed(1)} ms`)
}
