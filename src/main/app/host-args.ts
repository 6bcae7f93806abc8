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

/** The host options, for a command's usage text. */
export const HOST_OPTIONS_USAGE = `  --port N          port on 127.0.0.1 (default ${DEFAULT_PORT}, or any free one if taken; 0: any free port)
  --data-dir D      where the run history lives (default: the app's user-data folder)
  --grace-ms M      on Ctrl-C / SIGTERM, how long tasks may clean up (default ${DEFAULT_QUIT_GRACE_MS})
  --daemon-rate R   clock rate of the daemons (1: real time; 60: a minute a second)`

/**
 * Reads the hosts' command line (`--port N --data-dir D --grace-ms M --daemon-rate R`). Unknown
 * options are ignored (Electron adds its own) unless `strict` (a command a person typed: a typo is
 * an error); bad values throw with the option's name.
 *
 * @example parseHostArgs(['--port', '0', '--data-dir', '/tmp/lw']) // { port: 0, dataDir: '/tmp/lw', … }
 */
export function parseHostArgs(argv: readonly string[], { strict = false }: { strict?: boolean } = {}): HostArgs {
  const { values } = parseArgs({
    args: [...argv],
    strict,
    allowPositionals: !strict,
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
