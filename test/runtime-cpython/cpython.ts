/**
 * The suite's one helper: run the same program on CPython asyncio (vtloop's virtual clock) and on
 * our runtime (a VirtualClock), and compare what each printed and when.
 *
 * Python side: `py(code)` runs `code` (which defines `async def main()`) after prelude.py, with
 * the oracle's vtloop.py (`oracleDir`) on sys.path; `log(...)` prints "<loop ms> <parts>", the program's outcome is
 * printed last as "<ms> end <json>" or "<ms> end raised <error>".
 * TS side: `ts(async (log) => ...)` runs main with run() on a VirtualClock and prints the same way.
 * No expected output is written in the tests: CPython produces it at test time.
 *
 * python3 here is 3.11; prelude.py carries 3.12's timeout/wait_for/Semaphore so the reference is
 * 3.12. fuzz.ts/fuzz.py interpret seeded random programs on both sides. Cases the runtime still
 * gets wrong are `it.fails` tests in this suite (counted as expected failures; see deferred.test.ts).
 */
import { spawnSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { expect } from 'vitest'
import { CancelledError, TaskGroupError, VirtualClock, run } from '../../src/main/runtime/index'

const here = path.dirname(fileURLToPath(import.meta.url))
const repoRoot = path.resolve(here, '../..')
/** CI runs a fresh clone with shared/ beside it. */
export const oracleDir = path.resolve(repoRoot, '../shared/oracle')

if (!existsSync(path.join(oracleDir, 'vtloop.py'))) {
  throw new Error(`vtloop.py not found in ${oracleDir}: the CPython comparison needs ../shared/oracle beside the repo`)
}

/** The errors the programs throw, named as Python's so traces compare. */
export class ValueError extends Error {
  override name = 'ValueError'
}
export class OtherError extends Error {
  override name = 'OtherError'
}

/**
 * Runs a Python program and returns its stdout lines; throws with stderr if it crashed. Each part
 * is dedented on its own, so shared definitions can be prepended.
 */
export function py(code: string | string[], opts: { raw?: boolean } = {}): string[] {
  const parts = typeof code === 'string' ? [code] : code
  const program = `from prelude import *\n${parts.map(dedent).join('\n')}\n${opts.raw ? '' : 'main_run(main)\n'}`
  const r = spawnSync('python3', ['-c', program], {
    encoding: 'utf8',
    env: { ...process.env, PYTHONPATH: [here, oracleDir].join(path.delimiter), PYTHONDONTWRITEBYTECODE: '1' },
    timeout: 10_000,
  })
  if (r.error) throw new Error(`could not run python3 (the CPython comparison needs python3 ≥ 3.11 on PATH): ${r.error.message}`)
  if (r.status !== 0) throw new Error(`python3 exited ${r.status}:\n${r.stderr}\n--- program ---\n${program}`)
  return r.stdout.split('\n').filter((l) => l.length > 0)
}

export type Log = (...parts: unknown[]) => void

/** Runs `main` with run() on a fresh VirtualClock; returns the lines it logged, then its outcome. */
export async function ts(main: (log: Log) => Promise<unknown>, opts: { graceMs?: number } = {}): Promise<string[]> {
  const clock = new VirtualClock()
  const lines: string[] = []
  const log: Log = (...parts) => lines.push([ms(clock.now()), ...parts.map(String)].join(' '))
  let outcome: string
  try {
    const r = await run(() => main(log), { clock, ...opts })
    outcome = `end ${fmt(r)}`
  } catch (e) {
    outcome = `end raised ${err(e)}`
  }
  lines.push(`${ms(clock.now())} ${outcome}`)
  return lines
}

/**
 * For programs that drive an EventLoop themselves (the Python side uses py(code, { raw: true }) and
 * logt(loop, ...)): `log` stamps lines with the clock's time.
 */
export async function tsRaw(main: (log: Log, clock: VirtualClock) => Promise<void>): Promise<string[]> {
  const clock = new VirtualClock()
  const lines: string[] = []
  const log: Log = (...parts) => lines.push([ms(clock.now()), ...parts.map(String)].join(' '))
  await main(log, clock)
  return lines
}

/** Settles after `ms` real milliseconds with 'hung': a guard for loops that might never return. */
export function hung(ms = 2000): Promise<'hung'> {
  return new Promise((resolve) => setTimeout(() => resolve('hung'), ms).unref())
}

function ms(t: number): string {
  return String(Math.round(t * 1000) / 1000)
}

/** An error as prelude.py's err(): ValueError(boom), TaskGroupError[...], else the class name. */
export function err(e: unknown): string {
  if (e instanceof TaskGroupError) return `TaskGroupError[${e.errors.map(err).join(',')}]`
  if (e instanceof ValueError || e instanceof OtherError) return `${e.name}(${e.message})`
  if (e instanceof Error) return e.name
  return `non-error ${String(e)}`
}

/** A value as prelude.py's fmt(): compact JSON, errors by err(), undefined as null. */
export function fmt(v: unknown): string {
  if (v === undefined) return 'null'
  return JSON.stringify(v, (_k, x: unknown) => (x instanceof Error ? err(x) : x === undefined ? null : x))
}

/** The cancellation message a CancelledError carries (Python: str(e)). */
export function cancelMessage(e: unknown): string {
  return e instanceof CancelledError ? (e.reason ?? '') : `not a CancelledError: ${err(e)}`
}

function dedent(code: string): string {
  const lines = code.replace(/^\n/, '').split('\n')
  const indents = lines.filter((l) => l.trim().length > 0).map((l) => /^ */.exec(l)![0].length)
  const cut = indents.length > 0 ? Math.min(...indents) : 0
  return lines.map((l) => l.slice(cut)).join('\n')
}

/**
 * Runs both programs and asserts the TS trace equals CPython's. `unordered` marks lines whose order
 * CPython leaves to a set's iteration (e.g. TaskGroup cancels its children in set order): a run of
 * consecutive matching lines with the same time is compared as a sorted run.
 */
export async function expectSameTrace(
  python: string | string[],
  main: (log: Log) => Promise<unknown>,
  opts: { graceMs?: number; unordered?: RegExp } = {},
): Promise<string[]> {
  const expected = py(python)
  const actual = await ts(main, opts.graceMs === undefined ? {} : { graceMs: opts.graceMs })
  const norm = (lines: string[]): string[] => (opts.unordered ? sortRuns(lines, opts.unordered) : lines)
  expect(norm(actual)).toEqual(norm(expected))
  return expected
}

/** Sorts each run of consecutive same-time lines matching `unordered` (CPython orders them by set iteration). */
export function sortRuns(lines: string[], unordered: RegExp): string[] {
  const out: string[] = []
  let run: string[] = []
  const time = (l: string): string => l.slice(0, l.indexOf(' '))
  const flush = (): void => {
    out.push(...run.sort())
    run = []
  }
  for (const l of lines) {
    if (!unordered.test(l)) {
      flush()
      out.push(l)
    } else {
      if (run.length > 0 && time(run[0]!) !== time(l)) flush()
      run.push(l)
    }
  }
  flush()
  return out
}

/** A boolean printed as Python prints it. */
export function b(x: boolean): string {
  return x ? 'True' : 'False'
}
