import { parseArgs } from 'node:util'

export interface HostArgs {
  /** 0: any free port. */
  port: number
  dataDir: string | null
  /** Grace period for the shutdown on quit / Ctrl-C. */
  graceMs: number
  /** Clock rate of the daemons' loop. */
  daemonRate: number
}

export const DEFAULT_PORT = 5317
export const DEFAULT_QUIT_GRACE_MS = 5000

/**
 * Reads the hosts' command line (`--port N --data-dir D --grace-ms M --daemon-rate R`); unknown
 * options are ignored (Electron adds its own), bad values throw with the option's name.
 *
 * @example parseHostArgs(['--port', '0', '--data-dir', '/tmp/lw']) // { port: 0, dataDir: '/tmp/lw', … }
 */
export function parseHostArgs(argv: string[]): HostArgs {
  const { values } = parseArgs({
    args: argv,
    strict: false,
    allowPositionals: true,
    options: {
      port: { type: 'string' },
      'data-dir': { type: 'string' },
      'grace-ms': { type: 'string' },
      'daemon-rate': { type: 'string' },
    },
  })
  return {
    port: number('--port', values.port, DEFAULT_PORT, 0, 65535, true),
    dataDir: typeof values['data-dir'] === 'string' && values['data-dir'] ? values['data-dir'] : null,
    graceMs: number('--grace-ms', values['grace-ms'], DEFAULT_QUIT_GRACE_MS, 0, 600_000, true),
    daemonRate: number('--daemon-rate', values['daemon-rate'], 1, 0.01, 10_000, false),
  }
}

function number(name: string, raw: unknown, fallback: number, min: number, max: number, integer: boolean): number {
  if (raw === undefined) return fallback
  const n = typeof raw === 'string' && raw.trim() !== '' ? Number(raw) : Number.NaN
  if (!Number.isFinite(n) || n < min || n > max || (integer && !Number.isInteger(n))) {
    throw new Error(`${name} must be ${integer ? 'an integer' : 'a number'} from ${min} to ${max}, got ${JSON.stringify(raw)}`)
  }
  return n
}
