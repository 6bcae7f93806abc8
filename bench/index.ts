/**
 * `npm run bench`: the scheduler workloads on our runtime, against raw promises (no scheduler:
 * the floor) and CPython asyncio (same programs, virtual time). Best of 3 runs each, after a warm-up.
 * Targets (the benchmark issue): ≤ 1.5× raw promises, ≥ 5× faster than CPython.
 */
import { spawnSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { resolve } from 'node:path'
import { agentOverhead } from './agent-overhead'
import { rawBaselines, workloads } from './workloads'

// npm runs scripts from the package root; the bundle lives in out/bench, so the source tree is the cwd
const repo = process.cwd()

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

const rows: string[][] = [['workload', 'loopwatch ms', 'ns/op', 'raw promises ms', '× raw', 'CPython ms', 'CPython ÷ ours']]
const py = cpython()
const bare = new Map<string, number>()
for (const w of workloads) {
  const ms = await best(w.run)
  bare.set(w.name, ms)
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

// The Node agent (issue 9): the same workloads with watch() attached and a connected hub.
console.log('\nwith the agent: watch() attached, connected to a hub in its own process (target ≤ 15% overhead)')
printTable(await agentOverhead(workloads, bare, best))

function printTable(table: string[][]): void {
  const widths = table[0]!.map((_, i) => Math.max(...table.map((r) => r[i]!.length)))
  for (const r of table) console.log(r.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  '))
}
