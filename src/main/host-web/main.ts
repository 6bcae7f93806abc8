// `npm run serve [-- --port N --data-dir D]`: the browser host. Same app core and handlers as the
// Electron window, served to a browser on 127.0.0.1; Ctrl-C shuts the scheduler down gracefully.
import { existsSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { AppCore } from '../app/app-core'
import { formatShutdownReport } from '../app/app-shutdown'
import { parseHostArgs } from '../app/host-args'
import { createHandlers, dispatch } from '../ipc/index'
import { defaultDataDir } from '../paths'
import { startWebHost } from './server'
import type { WebHost } from './server'

const staticDir = resolve(import.meta.dirname, '../../../out/renderer')

async function listen(core: AppCore, port: number): Promise<WebHost> {
  const handlers = createHandlers(core)
  const opts = { staticDir, dispatch: (c: unknown, p: unknown) => dispatch(handlers, c, p), subscribe: core.events.subscribe.bind(core.events) }
  try {
    return await startWebHost({ ...opts, port })
  } catch (e) {
    // The default port being taken is no reason to fail: any free port will do.
    if ((e as NodeJS.ErrnoException).code !== 'EADDRINUSE' || port === 0) throw e
    console.log(`loopwatch: port ${port} is in use; picking a free one.`)
    return startWebHost({ ...opts, port: 0 })
  }
}

async function main(): Promise<void> {
  const args = parseHostArgs(process.argv.slice(2))
  if (!existsSync(join(staticDir, 'index.html'))) {
    console.error(`loopwatch: ${staticDir}/index.html is missing: build the renderer first (npm run build), or use npm run serve.`)
    process.exit(1)
  }
  const dataDir = args.dataDir ?? defaultDataDir()
  const core = new AppCore({ dataDir, host: 'web', daemonRate: args.daemonRate })
  const host = await listen(core, args.port)
  console.log(`Loopwatch at ${host.url}`)
  console.log(`  history in ${dataDir}; Ctrl-C shuts down gracefully (grace ${args.graceMs} ms).`)

  let stoppingSince: number | null = null
  const stop = async () => {
    if (stoppingSince !== null) {
      // One Ctrl-C reaches us both from the terminal and relayed by the parent script: only a
      // deliberate second press, later on, skips the wait.
      if (Date.now() - stoppingSince < 1000) return
      console.log('loopwatch: second interrupt, exiting without waiting.')
      process.exit(130)
    }
    stoppingSince = Date.now()
    console.log(`\nloopwatch: shutting down gracefully (up to ${args.graceMs} ms)…`)
    const report = await core.close(args.graceMs)
    console.log(formatShutdownReport(report))
    await host.close()
    process.exit(0)
  }
  process.on('SIGINT', () => void stop())
  process.on('SIGTERM', () => void stop())
}

main().catch((e: unknown) => {
  console.error('loopwatch: could not start the browser host:', e instanceof Error ? e.message : e)
  process.exit(1)
})
