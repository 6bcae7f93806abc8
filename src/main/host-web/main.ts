// `node --import tsx src/main/host-web/main.ts [--port N --data-dir D]`: the browser host alone, as
// the e2e fixtures start it (people use `npm run serve` or `npx loopwatch serve`, which build the
// renderer first). Same app core and handlers as the Electron window, served on 127.0.0.1.
import { parseHostArgs } from '../app/host-args'
import { ShutdownTrigger } from '../app/shutdown-signals'
import { serveWebHost } from './serve'

let status = 1
try {
  status = await serveWebHost(parseHostArgs(process.argv.slice(2)), new ShutdownTrigger())
} catch (e) {
  console.error('loopwatch: could not start the browser host:', e instanceof Error ? e.message : e)
}
// Leave once the report is printed even if a library left a handle open.
process.exit(status)
