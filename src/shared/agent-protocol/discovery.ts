// How an agent finds the hub: `agent.json` in the app's data dir, or an explicit URL
// `tcp://127.0.0.1:<port>?token=…` (the `--app` option, or the LOOPWATCH_APP variable).
import * as v from 'valibot'
import { MAX_TOKEN_LENGTH } from './agent-messages'

/** The file the hub writes (mode 0600) into its data dir at start and removes on close. */
export const AGENT_FILE_NAME = 'agent.json'
/** The environment variable an agent reads for the hub's URL. */
export const APP_URL_ENV = 'LOOPWATCH_APP'
/** Hosts an agent may connect to: loopback only. */
export const LOOPBACK_HOSTS = ['127.0.0.1', 'localhost', '[::1]'] as const

const port = v.pipe(v.number(), v.safeInteger(), v.minValue(1), v.maxValue(65_535))
const token = v.pipe(v.string(), v.minLength(1), v.maxLength(MAX_TOKEN_LENGTH))

/** agent.json: where the hub listens, its token, its pid and protocol. Unknown keys are ignored. */
export const agentFileSchema = v.object({
  port,
  token,
  pid: v.pipe(v.number(), v.safeInteger(), v.minValue(0)),
  protocol: v.pipe(v.number(), v.safeInteger(), v.minValue(0)),
})
export type AgentFile = v.InferOutput<typeof agentFileSchema>

/** Where to connect: always a loopback host. */
export interface HubAddress {
  host: string
  port: number
  token: string
}

/**
 * Reads `tcp://127.0.0.1:<port>?token=<token>`. Refuses any other scheme, a non-loopback host, a
 * missing port or token, with a sentence saying which.
 *
 * @example parseAppUrl('tcp://127.0.0.1:4100?token=abc') // { ok: true, address: { host: '127.0.0.1', port: 4100, token: 'abc' } }
 */
export function parseAppUrl(url: string): { ok: true; address: HubAddress } | { ok: false; message: string } {
  let u: URL
  try {
    u = new URL(url)
  } catch {
    return { ok: false, message: `the app URL is not a URL; expected tcp://127.0.0.1:<port>?token=<token>` }
  }
  if (u.protocol !== 'tcp:') return { ok: false, message: `the app URL must start with tcp:// (got ${u.protocol})` }
  if (!(LOOPBACK_HOSTS as readonly string[]).includes(u.hostname)) {
    return { ok: false, message: `the app URL must name a loopback host (127.0.0.1, localhost, [::1]); got ${u.hostname.slice(0, 100)}` }
  }
  const parsedPort = v.safeParse(port, Number(u.port))
  if (!u.port || !parsedPort.success) return { ok: false, message: 'the app URL needs a port from 1 to 65535' }
  const parsedToken = v.safeParse(token, u.searchParams.get('token') ?? '')
  if (!parsedToken.success) return { ok: false, message: 'the app URL needs a token: ?token=<token> (agent.json holds it)' }
  const host = u.hostname === '[::1]' ? '::1' : u.hostname
  return { ok: true, address: { host, port: parsedPort.output, token: parsedToken.output } }
}

/** The URL form of an address, for `--app` / LOOPWATCH_APP. */
export function appUrl(address: { port: number; token: string }): string {
  return `tcp://127.0.0.1:${address.port}?token=${encodeURIComponent(address.token)}`
}
