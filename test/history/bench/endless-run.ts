// Storage figures for issue 8 (not a Vitest suite): an endless virtual `stats-daemon` run
// (interval 1 ms, no iteration limit) for a fixed wall time, then what it stored and what reading
// and exporting it cost. Same command before and after the fix:
//   npx tsx test/history/bench/endless-run.ts [seconds=10] [--soak]
// --soak: also runs back-to-back short runs beside it and prints DB growth per minute, then applies
// a 1 MB retention bound (where the code has one) and prints the size after.
import { mkdtempSync, rmSync, statSync, existsSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { AppCore } from '../../../src/main/app/app-core'
import { createHandlers, dispatch } from '../../../src/main/ipc/index'

const seconds = Number(process.argv[2] ?? 10)
const soak = process.argv.includes('--soak')
const dir = mkdtempSync(join(tmpdir(), 'loopwatch-bench-'))
const mb = (n: number) => (Math.abs(n) < 1e6 ? `${(n / 1e3).toFixed(1)} KB` : `${(n / 1e6).toFixed(1)} MB`)
const fileBytes = (f: string) => (existsSync(f) ? statSync(f).size : 0)

async function main(): Promise<void> {
  const core = new AppCore({ dataDir: dir, host: 'web' })
  const handlers = createHandlers(core)
  const call = (c: string, p: unknown) => dispatch(handlers, c, p)
  const dbFile = core.history.file
  const dbSize = () => fileBytes(dbFile) + fileBytes(`${dbFile}-wal`)
  const summary = core.runs.start('stats-daemon', { interval: 1, iterations: null }, 'virtual')
  const runId = summary.runId
  let shortRuns = 0
  let soaking = soak
  const soakLoop = async () => {
    while (soaking) {
      const r = core.runs.start('workers-heartbeat', {}, 'virtual')
      await core.runs.settled(5000)
      void r
      shortRuns++
    }
  }
  const soakDone = soak ? soakLoop() : Promise.resolve()
  const sizes: number[] = []
  const mains: number[] = []
  for (let s = 0; s < seconds; s++) {
    await new Promise((r) => setTimeout(r, 1000))
    sizes.push(dbSize())
    mains.push(fileBytes(dbFile))
  }
  soaking = false
  core.history.flush()
  const logRows = (core.history.db.prepare('SELECT count(*) AS n FROM logs WHERE run_id = ?').get(runId) as { n: number }).n
  const omitted = (core.history.db.prepare('SELECT * FROM runs WHERE id = ?').all(runId)[0] as { logs_omitted?: number }).logs_omitted
  console.log(`main file ${mb(fileBytes(dbFile))}, WAL ${mb(fileBytes(`${dbFile}-wal`))}`)
  console.log(`wall ${seconds} s; log rows stored for run ${runId}: ${logRows}${omitted === undefined ? '' : ` (+ ${omitted} counted, not stored)`}; DB ${mb(dbSize())}`)
  if (soak) console.log(`soak: ${shortRuns} short runs beside it; DB growth ${mb(((sizes.at(-1)! - sizes[0]!) / (seconds - 1)) * 60)}/min (main file alone ${mb(((mains.at(-1)! - mains[0]!) / (seconds - 1)) * 60)}/min)`)

  let t = performance.now()
  const got = await call('history:get', { runId })
  const reply = JSON.stringify(got)
  console.log(`history:get: ${got.ok ? 'ok' : `error ${JSON.stringify(got.error).slice(0, 200)}`}, reply ${mb(reply.length)}, ${((performance.now() - t) / 1000).toFixed(2)} s`)

  for (const format of ['json', 'csv'] as const) {
    t = performance.now()
    const coreAny = core as unknown as { exportRunToFile?: (id: number, f: string, p: string) => Promise<{ bytes: number }> }
    try {
      if (coreAny.exportRunToFile) {
        const out = join(dir, `export.${format}`)
        const { bytes } = await coreAny.exportRunToFile(runId, format, out)
        console.log(`export ${format} to file (streamed): ${mb(bytes)} (file ${mb(fileBytes(out))}), ${((performance.now() - t) / 1000).toFixed(2)} s`)
      } else {
        const res = await call('run:export', { runId, format })
        const len = res.ok ? (res.value as { content: string }).content.length : 0
        console.log(`export ${format} (run:export): ${res.ok ? mb(len) : `fails: ${res.error.message.slice(0, 120)}`}, ${((performance.now() - t) / 1000).toFixed(2)} s`)
      }
    } catch (e) {
      console.log(`export ${format}: fails: ${(e as Error).message.slice(0, 160)}`)
    }
  }
  const backlog = (core.monitor as unknown as { pendingLogs?: unknown[] }).pendingLogs?.length
  console.log(`peak RSS ${mb(process.resourceUsage().maxRSS * 1024)}; heap used ${mb(process.memoryUsage().heapUsed)}; monitor's unsent log lines ${backlog}`)

  const coreRet = core.history as unknown as { applyRetention?: (p?: unknown) => unknown }
  await core.runs.stop(runId, 1000).catch(() => {})
  await core.runs.settled(5000)
  await soakDone
  if (soak && coreRet.applyRetention) {
    const before = dbSize()
    const report = await coreRet.applyRetention({ maxAgeDays: 30, maxRuns: 1000, maxMegabytes: 1 })
    console.log(`retention (1 MB bound): ${mb(before)} → ${mb(dbSize())}; ${JSON.stringify(report)}`)
  }
  await core.close(1000)
  rmSync(dir, { recursive: true, force: true })
}
main().then(() => process.exit(0), (e) => { console.error(e); process.exit(1) })
