/**
 * The agent's overhead: each scheduler workload bare, then with watch() attached and connected to
 * a hub (in its own process). Issue 9's target: ≤ 15% slower with the agent.
 */
import { spawn } from 'node:child_process'
import { createInterface } from 'node:readline'
import { resolve } from 'node:path'
import { watch } from '../src/agent/watch'
import type { Workload } from './workloads'

/** Starts the bench hub (out/bench/hub-process.mjs) and resolves with its URL and a stop(). */
async function startHub(): Promise<{ url: string; stop: () => void }> {
  const child = spawn(process.execPath, [resolve(import.meta.dirname, 'hub-process.mjs')], { stdio: ['pipe', 'pipe', 'inherit'] })
  const line = await new Promise<string>((done, fail) => {
    createInterface({ input: child.stdout }).once('line', done)
    child.once('exit', (code) => fail(new Error(`the bench hub exited (${code})`)))
  })
  return { url: line.trim(), stop: () => child.stdin.end() }
}

/**
 * Rows of [workload, bare ms, watched ms, overhead %], best of `best` each. Bare times are the
 * caller's (measured the same way, just before); the watched ones are taken here.
 */
export async function agentOverhead(workloads: Workload[], bare: Map<string, number>, best: (fn: () => Promise<void>) => Promise<number>): Promise<string[][]> {
  const hub = await startHub()
  const drops: string[] = []
  const watcher = watch({ name: 'bench', app: hub.url, onStatus: (st) => void (st.state === 'waiting' && drops.push(st.why)) })
  try {
    const deadline = Date.now() + 5_000
    while (watcher.connection.status.state !== 'connected') {
      if (Date.now() > deadline) throw new Error(`the agent did not connect: ${JSON.stringify(watcher.connection.status)}`)
      await new Promise((r) => setTimeout(r, 10))
    }
    const rows: string[][] = [['workload', 'bare ms', 'watched ms', 'agent overhead', 'disconnects']]
    for (const w of workloads) {
      const before = drops.length
      const ms = await best(w.run)
      const base = bare.get(w.name)!
      rows.push([w.name, base.toFixed(1), ms.toFixed(1), `${(((ms - base) / base) * 100).toFixed(1)}%`, String(drops.length - before)])
    }
    // A disconnect makes a run look cheaper than it is (nothing sent meanwhile): say why.
    for (const why of new Set(drops)) console.log(`agent disconnected: ${why}`)
    return rows
  } finally {
    await watcher.close({ code: 0, reason: 'bench done' })
    hub.stop()
  }
}
