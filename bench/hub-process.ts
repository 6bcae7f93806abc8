/**
 * A hub in its own process for the agent-overhead bench, so its parsing and bookkeeping do not
 * count against the watched workload: prints its tcp:// URL, then serves until stdin closes.
 */
import { AgentHub } from '../src/main/hub/index'
import { appUrl } from '../src/shared/agent-protocol/index'

const hub = await AgentHub.start({ dataDir: null })
process.stdout.write(`${appUrl(hub)}\n`)
process.stdin.resume()
process.stdin.on('end', () => void hub.close().then(() => process.exit(0)))
