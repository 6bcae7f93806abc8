import { join } from 'node:path'
import { type OpenedHistory, openHistory } from '../history/index'
import { defaultDataDir } from '../paths'
import { createScenarioRun, formatIssues, getScenario, parseParams, scenarios } from '../scenarios/index'
import type { RunResult, ScenarioRun } from '../scenarios/types'
import { type CliCommand, USAGE, UsageError, parseCliArgs } from './args'
import { type CliIo, attachPrinter } from './printer'

export type { CliIo } from './printer'

export interface CliHooks {
  /** Called once the run exists, before it starts (the entry point wires Ctrl-C here). */
  onRun?(run: ScenarioRun, graceMs: number): void
}

/**
 * The scenario CLI: runs one scenario (or lists them) and returns the exit status — 0 done,
 * 1 the program failed (as Python's would), 130 cancelled, 2 a command it refused to run
 * (unknown id, invalid params, bad options), for which nothing is recorded in the history.
 *
 * @example await runScenarioCli(['graceful-cancel', '--virtual', '--json'], io) // 0
 */
export async function runScenarioCli(argv: readonly string[], io: CliIo, hooks: CliHooks = {}): Promise<number> {
  let command: CliCommand
  try {
    command = parseCliArgs(argv)
  } catch (error) {
    if (!(error instanceof UsageError)) throw error
    io.err(`scenario: ${error.message}`)
    io.err(USAGE)
    return 2
  }
  if (command.kind === 'help') {
    io.out(USAGE)
    return 0
  }
  if (command.kind === 'list') {
    for (const s of scenarios) {
      io.out(command.json ? JSON.stringify({ id: s.id, title: s.title, section: s.section, params: s.defaults }) : `${s.id.padEnd(24)}${s.title}`)
    }
    return 0
  }

  const def = getScenario(command.id)
  if (!def) {
    io.err(`scenario: unknown scenario "${command.id}"; the scenarios are:`)
    for (const s of scenarios) io.err(`  ${s.id}`)
    return 2
  }
  const parsed = parseParams(def, command.params)
  if (!parsed.ok) {
    io.err(`scenario: invalid params for ${def.id}: ${formatIssues(parsed.issues)}`)
    return 2
  }

  const dataDir = command.dataDir ?? defaultDataDir()
  const run = createScenarioRun(def, parsed.value, {
    clock: command.clock,
    outDir: command.outDir ?? join(dataDir, 'output'),
  })
  const recorded = command.history ? recordInHistory(run, dataDir, parsed.value, io) : null

  const printEnd = attachPrinter(run, command.json, io)
  hooks.onRun?.(run, command.graceMs)

  const wallStart = performance.now()
  const result = await run.start()
  recorded?.end(result)
  return printEnd(result, { wallMs: performance.now() - wallStart, historyRunId: recorded?.runId })
}

/** Records the run in the history; a history that cannot open is reported, not fatal to the run. */
function recordInHistory(run: ScenarioRun, dataDir: string, params: unknown, io: CliIo) {
  let history: OpenedHistory
  try {
    history = openHistory(dataDir)
  } catch (error) {
    io.err(`scenario: the run is not recorded, the history at ${dataDir} did not open: ${(error as Error).message}`)
    return null
  }
  const runId = history.startRun({ scenario: run.scenario.id, params: params as Record<string, unknown>, clock: run.clock })
  const removeRecorder = history.recorder(run.loop, runId)
  run.onRecord(({ t, taskId, taskName, stream, line }) => history.log(runId, { t, taskId, taskName, stream, line }))
  return {
    runId,
    end(result: RunResult): void {
      removeRecorder()
      history.endRun(runId, result)
      history.close()
    },
  }
}
