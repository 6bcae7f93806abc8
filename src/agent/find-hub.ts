// Where the hub is: an explicit URL (--app, LOOPWATCH_APP) or the agent.json the app wrote.
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import * as v from 'valibot'
import { AGENT_FILE_NAME, APP_URL_ENV, agentFileSchema, parseAppUrl } from '../shared/agent-protocol/index'
import type { HubAddress } from '../shared/agent-protocol/index'
import { defaultDataDir } from '../main/paths'

/** Where to connect now, or why there is nowhere yet (read again before every attempt). */
export type HubLocation = { ok: true; address: HubAddress; from: 'url' | 'agent.json' } | { ok: false; message: string }

export interface LocateOptions {
  /** An explicit `tcp://127.0.0.1:<port>?token=…` (the `--app` option); wins over everything. */
  app?: string | null
  /** Read for LOOPWATCH_APP (default process.env). */
  env?: Record<string, string | undefined>
  /** Where the app writes agent.json (default: the app's own data dir). */
  dataDir?: string
}

/**
 * Returns a function that says where the hub is. A URL (option, then LOOPWATCH_APP) is read once;
 * agent.json is read afresh at every call, so an agent finds a restarted app (new port, new token).
 *
 * @example const locate = hubLocator({ dataDir }); const where = locate() // { ok: true, address, from: 'agent.json' }
 */
export function hubLocator(opts: LocateOptions = {}): () => HubLocation {
  const url = opts.app ?? (opts.env ?? process.env)[APP_URL_ENV] ?? null
  if (url !== null && url !== '') {
    const parsed = parseAppUrl(url)
    const fixed: HubLocation = parsed.ok ? { ok: true, address: parsed.address, from: 'url' } : { ok: false, message: parsed.message }
    return () => fixed
  }
  const path = join(opts.dataDir ?? defaultDataDir(), AGENT_FILE_NAME)
  return () => readAgentFile(path)
}

/** Reads and checks one agent.json. */
export function readAgentFile(path: string): HubLocation {
  let text: string
  try {
    text = readFileSync(path, 'utf8')
  } catch {
    return { ok: false, message: `no ${path}: is the app running?` }
  }
  let raw: unknown
  try {
    raw = JSON.parse(text)
  } catch {
    return { ok: false, message: `${path} is not JSON` }
  }
  const file = v.safeParse(agentFileSchema, raw)
  if (!file.success) return { ok: false, message: `${path} is not an agent file: ${v.summarize(file.issues).slice(0, 200)}` }
  return { ok: true, address: { host: '127.0.0.1', port: file.output.port, token: file.output.token }, from: 'agent.json' }
}
