/**
 * `npm run bench`: the scheduler workloads on our runtime, against raw promises (no scheduler:
 * the floor) and CPython asyncio (same programs, virtual time). Best of 3 runs each, after a warm-up.
 * Targets (the benchmark issue): ≤ 1.5× raw promises, ≥ 5× faster than CPython. Then what watching
 * costs: bare / TaskMonitor / agent side by side (targets ≤ 25% and ≤ 15%), see watch-overhead.ts.
 * `BENCH_ROUNDS=n` sets the rounds of the second table (default 5); `npm run bench -- --watching`
 * prints only the second table, `--only <name prefix>` keeps the workloads whose name starts so.
 */
import { spawnSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { resolve } from 'node:path'
import { geomeanOverhead, watchOverhead } from './watch-overhead'
import type { OverheadRow } from './watch-overhead'
import { rawBaselines, workloads as allWorkloads } from './workloads'
import type { Workload } from './workloads'

// npm runs scripts from the package root; the bundle lives in out/bench, so the source tree is the cwd
const repo = process.cwd()

const args = process.argv.slice(2)
const only = args.includes('--only') ? (args[args.indexOf('--only') + 1] ?? '') : ''
const workloads = allWorkloads.filter((w) => w.name.startsWith(only))

async function best(fn: () => Promise<void>, runs = 3): Promise<number> {
  await fn() // warm-up: JIT and allocation sites
  let min = Infinity
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now()
    await fn()
    min = Math.min(min, performance.now() - t0)
  }
  return min
}

function cpython(): Record<string, number> | null {
  const oracle = resolve(repo, '../shared/oracle')
  if (!existsSync(resolve(oracle, 'vtloop.py'))) return null
  const r = spawnSync('python3', [resolve(repo, 'bench/asyncio_bench.py'), oracle], { encoding: 'utf8' })
  if (r.status !== 0) return null
  return JSON.parse(r.stdout) as Record<string, number>
}

async function runtimeTable(ws: Workload[]): Promise<void> {
  console.log('the runtime (targets: ≤ 1.5× raw promises, ≥ 5× faster than CPython asyncio)')
  const rows: string[][] = [['workload', 'loopwatch ms', 'ns/op', 'raw promises ms', '× raw', 'CPython ms', 'CPython ÷ ours']]
  const py = cpython()
  for (const w of ws) {
    const ms = await best(w.run)
    const raw = rawBaselines[w.name]
    const rawMs = raw ? await best(raw) : null
    const pyMs = py?.[w.name] ?? null
    rows.push([
      w.name,
      ms.toFixed(1),
      ((ms * 1e6) / w.ops).toFixed(0),
      rawMs === null ? '—' : rawMs.toFixed(1),
      rawMs === null ? '—' : (ms / rawMs).toFixed(1),
      pyMs === null ? '—' : pyMs.toFixed(1),
      pyMs === null ? '—' : (pyMs / ms).toFixed(1),
    ])
  }
  printTable(rows)
  console.log(`\nnode ${process.version}; ${py ? 'CPython via bench/asyncio_bench.py on the oracle virtual loop' : 'CPython not measured (python3 or ../shared/oracle missing)'}`)
}

// Watching (issues 9 and 13): the same workloads with the in-app TaskMonitor, and with watch()
// attached and connected to a hub in its own process; the bare runs are taken in the same rounds.
async function watchingTable(ws: Workload[]): Promise<void> {
  const rounds = Number(process.env['BENCH_ROUNDS'] ?? 5)
  console.log(`\nwatching, best of ${rounds} rounds (bare, monitor, agent in turn): TaskMonitor target ≤ +25% over bare; agent (watch() connected to a hub in its own process) target ≤ +15%`)
  const watched = await watchOverhead(ws, rounds)
  const pct = (x: number) => `${x >= 0 ? '+' : ''}${(x * 100).toFixed(1)}%`
  const table: string[][] = [['workload', 'bare ms', 'monitor ms', 'monitor', 'agent ms', 'agent', 'disconnects']]
  for (const r of watched) {
    table.push([r.name, r.ms.bare.toFixed(1), r.ms.monitor.toFixed(1), pct(r.ms.monitor / r.ms.bare - 1), r.ms.agent.toFixed(1), pct(r.ms.agent / r.ms.bare - 1), String(r.disconnects)])
  }
  const gm = { monitor: geomeanOverhead(watched, 'monitor'), agent: geomeanOverhead(watched, 'agent') }
  table.push(['geomean', '', '', pct(gm.monitor), '', pct(gm.agent), ''])
  printTable(table)
  const worst = (mode: 'monitor' | 'agent') => Math.max(...watched.map((r: OverheadRow) => r.ms[mode] / r.ms.bare - 1))
  const verdict = (mode: 'monitor' | 'agent', target: number) =>
    `geomean ${pct(gm[mode])}, worst ${pct(worst(mode))} — target ≤ +${target * 100}% on every workload: ${worst(mode) <= target ? 'met' : 'not met'}`
  console.log(`TaskMonitor: ${verdict('monitor', 0.25)}`)
  console.log(`agent:       ${verdict('agent', 0.15)}`)
}

function printTable(table: string[][]): void {
  const widths = table[0]!.map((_, i) => Math.max(...table.map((r) => r[i]!.length)))
  for (const r of table) console.log(r.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  '))
}

if (!args.includes('--watching')) await runtimeTable(workloads)
await watchingTable(workloads)
