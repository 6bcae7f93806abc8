import { spawnSync } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { attachPrinter } from '../../src/main/cli/printer'
import { createScenarioRun, getScenario } from '../../src/main/scenarios/index'
import type { ClockChoice, RunResult, ScenarioRecord } from '../../src/main/scenarios/types'

/** The repository root, and the oracle beside it (CI clones shared/ next to the repo). */
export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..')
export const oracleDir = resolve(repoRoot, '../shared/oracle')

export interface OracleScenario {
  id: string
  title: string
  course_section: string
  params: Record<string, unknown>
  notes: string
}

/** A fresh temporary folder, removed by the returned cleanup. */
export function tempDir(prefix = 'loopwatch-scenarios-'): { path: string; remove: () => void } {
  const path = mkdtempSync(join(tmpdir(), prefix))
  return { path, remove: () => rmSync(path, { recursive: true, force: true }) }
}

/** The scenario's JSON-lines trace on the virtual clock, as `scenario <id> --virtual --json` prints it. */
export async function virtualTrace(id: string, params: Record<string, unknown>): Promise<string> {
  const def = getScenario(id)
  if (!def) throw new Error(`no scenario ${id}`)
  const dir = tempDir()
  try {
    const out: string[] = []
    const run = createScenarioRun(def, params, { clock: 'virtual', outDir: dir.path })
    const printEnd = attachPrinter(run, true, { out: (l) => out.push(l), err: (l) => out.push(l) })
    printEnd(await run.start())
    return `${out.join('\n')}\n`
  } finally {
    dir.remove()
  }
}

/** compare.py's verdict on ACTUAL against the trace file EXPECTED: exit status and its report. */
export function compareTrace(expectedFile: string, actual: string): { status: number | null; report: string } {
  const result = spawnSync('python3', [join(oracleDir, 'compare.py'), expectedFile, '-'], { input: actual, encoding: 'utf8' })
  return { status: result.status, report: `${result.stdout}${result.stderr}` }
}

/** CPython's reference trace for other params: `python3 seed/<id>.py '<json>'`. */
export function cpythonTrace(id: string, params: Record<string, unknown>): string {
  const result = spawnSync('python3', [join(oracleDir, 'seed', `${id}.py`), JSON.stringify(params)], { encoding: 'utf8' })
  if (result.status !== 0) throw new Error(`seed/${id}.py failed: ${result.stderr}`)
  return result.stdout
}

/** Runs a scenario in process and collects its records. */
export async function runScenario(
  id: string,
  params: unknown = {},
  clock: ClockChoice = 'virtual',
): Promise<{ result: RunResult; records: ScenarioRecord[]; outDir: string; remove: () => void }> {
  const def = getScenario(id)
  if (!def) throw new Error(`no scenario ${id}`)
  const dir = tempDir()
  const run = createScenarioRun(def, params, { clock, outDir: dir.path })
  const records: ScenarioRecord[] = []
  run.onRecord((r) => records.push(r))
  const result = await run.start()
  return { result, records, outDir: dir.path, remove: dir.remove }
}
