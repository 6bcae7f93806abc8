// A real browser host in its own process, for the flood tests: the app core with `--tasks N` live
// tasks (sleeping on a loop the monitor watches) behind the real dispatcher and WebSocket server.
// It prints one JSON line `{ port, token, pid }` once listening; its memory is read from outside
// (/proc/<pid>/status), so the figures are the host's own, not the test runner's.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { AppCore } from '../../../src/main/app/app-core'
import { startWebHost } from '../../../src/main/host-web/server'
import { createHandlers, dispatch } from '../../../src/main/ipc/index'
import { EventLoop, sleep } from '../../../src/main/runtime/index'

const arg = (name: string, fallback: number) => {
  const i = process.argv.indexOf(name)
  return i >= 0 ? Number(process.argv[i + 1]) : fallback
}

async function main(): Promise<void> {
  const taskCount = arg('--tasks', 10_000)
  const dataDir = mkdtempSync(join(tmpdir(), 'lw-flood-'))
  const core = new AppCore({ dataDir, host: 'web' })
  const loop = new EventLoop()
  void loop.runForever()
  for (let i = 0; i < taskCount; i++) loop.createTask(() => sleep(3_600_000), { name: `idle-${i}` })
  core.monitor.attach(loop, { label: 'flood', runId: null, rate: 1 })
  const handlers = createHandlers(core)
  const host = await startWebHost({
    staticDir: dataDir,
    port: 0,
    dispatch: (c, p) => dispatch(handlers, c, p),
    subscribe: core.events.subscribe.bind(core.events),
  })
  // Let the monitor take its first look at every task before anyone asks.
  await new Promise((r) => setTimeout(r, 1_000))
  console.log(JSON.stringify({ port: host.port, token: host.token, pid: process.pid }))
  process.on('SIGTERM', () => {
    rmSync(dataDir, { recursive: true, force: true })
    process.exit(0)
  })
}

void main()
