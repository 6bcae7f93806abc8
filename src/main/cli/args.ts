import { parseArgs } from 'node:util'
import type { ClockChoice } from '../scenarios/types'

/** What the command line asks for. */
export type CliCommand =
  | { kind: 'help' }
  | { kind: 'list'; json: boolean }
  | {
      kind: 'run'
      id: string
      clock: ClockChoice
      json: boolean
      /** The --params object as parsed JSON (validated later, against the scenario). */
      params: unknown
      dataDir: string | null
      outDir: string | null
      history: boolean
      graceMs: number
    }

/** A command line that cannot run; the CLI exits 2 with this message. */
export class UsageError extends Error {
  override readonly name = 'UsageError'
}

export const USAGE = `usage: loopwatch scenario <id> [--virtual | --speed N] [--json] [--params '<json>']
                                [--out-dir D] [--data-dir D] [--no-history] [--grace MS]
       loopwatch scenario --list [--json]
       (npx loopwatch scenario … in a clone; npm run scenario -- … is the same)

  --virtual       virtual clock: every sleep ends at once, times are exact (default: real time)
  --speed N       scaled clock: N clock seconds per real second (--speed 60: a minute a second)
  --json          JSON lines: {"t","line"} per printed line, task state changes, {"t","exit"}
  --params JSON   one JSON object; durations in milliseconds; omitted keys take their defaults
  --out-dir D     where the scenario writes files (default: <data dir>/output)
  --data-dir D    where the run history lives (default: the app's user-data folder)
  --no-history    do not record the run in the history
  --grace MS      on Ctrl-C / SIGTERM, how long cancelled tasks may clean up (default 2000)`

/**
 * Parses the scenario CLI's arguments. Throws `UsageError` for anything it cannot run: unknown
 * options, a missing id, --virtual with --speed, a speed that is not a positive number, or
 * --params that is not a JSON object.
 */
export function parseCliArgs(argv: readonly string[]): CliCommand {
  let parsed
  try {
    parsed = parseArgs({
      args: [...argv],
      allowPositionals: true,
      strict: true,
      options: {
        help: { type: 'boolean', short: 'h' },
        list: { type: 'boolean' },
        virtual: { type: 'boolean' },
        speed: { type: 'string' },
        json: { type: 'boolean' },
        params: { type: 'string' },
        'data-dir': { type: 'string' },
        'out-dir': { type: 'string' },
        'no-history': { type: 'boolean' },
        grace: { type: 'string' },
      },
    })
  } catch (error) {
    throw new UsageError((error as Error).message)
  }
  const { values, positionals } = parsed
  if (values.help) return { kind: 'help' }
  if (values.list) return { kind: 'list', json: values.json ?? false }
  if (positionals.length === 0) throw new UsageError('missing scenario id (see --list)')
  if (positionals.length > 1) throw new UsageError(`one scenario id expected, got ${positionals.join(' ')}`)
  if (values.virtual && values.speed !== undefined) {
    throw new UsageError('--virtual and --speed exclude each other')
  }
  return {
    kind: 'run',
    id: positionals[0]!,
    clock: values.virtual ? 'virtual' : { speed: values.speed === undefined ? 1 : positiveNumber('--speed', values.speed) },
    json: values.json ?? false,
    params: values.params === undefined ? {} : jsonObject(values.params),
    dataDir: values['data-dir'] ?? null,
    outDir: values['out-dir'] ?? null,
    history: !values['no-history'],
    graceMs: values.grace === undefined ? 2000 : nonNegativeNumber('--grace', values.grace),
  }
}

function positiveNumber(flag: string, text: string): number {
  const n = Number(text)
  if (text.trim() === '' || !Number.isFinite(n) || n <= 0) {
    throw new UsageError(`${flag} must be a number above 0, got ${JSON.stringify(text)}`)
  }
  return n
}

function nonNegativeNumber(flag: string, text: string): number {
  const n = Number(text)
  if (text.trim() === '' || !Number.isFinite(n) || n < 0) {
    throw new UsageError(`${flag} must be a number of milliseconds (≥ 0), got ${JSON.stringify(text)}`)
  }
  return n
}

function jsonObject(text: string): unknown {
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch (error) {
    throw new UsageError(`--params is not valid JSON: ${(error as Error).message}`)
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new UsageError(`--params must be a JSON object, got ${text}`)
  }
  return value
}
