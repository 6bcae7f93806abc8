/**
 * A hub in its own process for the agent-overhead bench, so its parsing and bookkeeping do not
 * count against the watched workload: prints its tcp:// URL, then `ended <state>` each time a
 * source leaves (its bye, or a lost connection, is read after every line it sent: the hub is then
 * idle), and serves until stdin closes.
 */
import { AgentHub } from '../src/main/hub/index'
import { appUrl } from '../src/shared/agent-protocol/index'

const hub = await AgentHub.start({ dataDir: null })
process.stdout.write(`${appUrl(hub)}\n`)
hub.onChange((c) => {
  if (c.kind === 'source' && (c.source.state === 'exited' || c.source.state === 'lost')) process.stdout.write(`ended ${c.source.state}\n`)
})
process.stdin.resume()
process.stdin.on('end', () => void hub.close().then(() => process.exit(0)))
