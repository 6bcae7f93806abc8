// The browser host's lifetime: start the app core and the server, print the URL, and shut down
// gracefully once the trigger fires (a signal, or the parent that started us going away).
import { existsSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { AppCore } from '../app/app-core'
import { formatShutdownReport } from '../app/app-shutdown'
import type { HostArgs } from '../app/host-args'
import type { ShutdownTrigger } from '../app/shutdown-signals'
import { createHandlers, dispatch } from '../ipc/index'
import { defaultDataDir } from '../paths'
import { startWebHost } from './server'
import type { WebHost } from './server'

/** The built renderer the host serves (`electron-vite build` writes it). */
export const STATIC_DIR = resolve(import.meta.dirname, '../../../out/renderer')

export interface ServeIo {
  out(line: string): void
  err(line: string): void
}

const consoleIo: ServeIo = { out: (l) => console.log(l), err: (l) => console.error(l) }

async function listen(core: AppCore, port: number, io: ServeIo): Promise<WebHost> {
  const handlers = createHandlers(core)
  const opts = { staticDir: STATIC_DIR, dispatch: (c: unknown, p: unknown) => dispatch(handlers, c, p), subscribe: core.events.subscribe.bind(core.events) }
  try {
    return await startWebHost({ ...opts, port })
  } catch (e) {
    // The default port being taken is no reason to fail: any free port will do.
    if ((e as NodeJS.ErrnoException).code !== 'EADDRINUSE' || port === 0) throw e
    io.out(`loopwatch: port ${port} is in use; picking a free one.`)
    return startWebHost({ ...opts, port: 0 })
  }
}

/**
 * Runs the browser host until `trigger` fires, then shuts the scheduler down gracefully (up to
 * `args.graceMs`), prints the report and closes the server. Resolves with the exit status: 0 after
 * a graceful shutdown, 1 when it could not start.
 *
 * @example process.exit(await serveWebHost(parseHostArgs(argv), new ShutdownTrigger()))
 */
export async function serveWebHost(args: HostArgs, trigger: ShutdownTrigger, io: ServeIo = consoleIo): Promise<number> {
  if (!existsSync(join(STATIC_DIR, 'index.html'))) {
    io.err(`loopwatch: ${STATIC_DIR}/index.html is missing: build the renderer first (npm run build), or use npm run serve.`)
    return 1
  }
  // Whoever read our output may be gone (its terminal closed, the parent that piped it died): a
  // failed write must not cut the shutdown short.
  for (const stream of [process.stdout, process.stderr]) stream.on('error', () => {})

  const dataDir = args.dataDir ?? defaultDataDir()
  const core = new AppCore({ dataDir, host: 'web', daemonRate: args.daemonRate })
  let host: WebHost
  try {
    host = await listen(core, args.port, io)
  } catch (e) {
    await core.close(0)
    io.err(`loopwatch: could not start the browser host: ${e instanceof Error ? e.message : String(e)}`)
    return 1
  }
  io.out(`Loopwatch at ${host.url}`)
  io.out(`  history in ${dataDir}; pid ${process.pid}; Ctrl-C or SIGTERM shuts down gracefully (grace ${args.graceMs} ms).`)

  const why = await new Promise<string>((done) => trigger.on(done))
  io.out(`\nloopwatch: ${why}: shutting down gracefully (up to ${args.graceMs} ms)…`)
  const report = await core.close(args.graceMs)
  io.out(formatShutdownReport(report))
  await host.close()
  return 0
}
