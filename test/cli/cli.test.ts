import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { openHistory } from '../../src/main/history/index'
import { scenarioIds } from '../../src/main/scenarios/index'
import { runScenarioCli } from '../../src/main/cli/run-cli'
import { tempDir } from '../scenarios/helpers'

/** Runs the CLI in process, as `scenario <args>`; returns its stdout, stderr and exit status. */
async function cli(args: string[]): Promise<{ status: number; out: string[]; err: string[] }> {
  const out: string[] = []
  const err: string[] = []
  const status = await runScenarioCli(args, { out: (l) => out.push(l), err: (l) => err.push(l) })
  return { status, out, err }
}

let dir: ReturnType<typeof tempDir>
beforeEach(() => {
  dir = tempDir('loopwatch-cli-')
})
afterEach(() => dir.remove())

const dataDir = () => join(dir.path, 'data')

describe('the scenario CLI', () => {
  it('prints each line as time, task and text, and a summary on stderr', async () => {
    const { status, out, err } = await cli(['wait-for-timeout', '--virtual', '--no-history'])
    expect(status).toBe(0)
    expect(out).toEqual(['  1.000s  [main]  Problems with traffic_jams service'])
    expect(err.at(-1)).toMatch(/^exit 0 \(done\) · 1\.000s on the virtual clock/)
  })

  it('prints JSON lines with the oracle records, task state changes and the exit', async () => {
    const { status, out } = await cli(['awaitables', '--virtual', '--json', '--no-history'])
    expect(status).toBe(0)
    const records = out.map((l) => JSON.parse(l))
    expect(records.filter((r) => 'line' in r)).toEqual([
      { t: 5000, line: 'awaited coro()', task: 'main', taskId: expect.any(Number) },
      { t: 10000, line: 'awaited task', task: 'main', taskId: expect.any(Number) },
    ])
    expect(records).toContainEqual({ t: 10000, event: 'task', id: expect.any(Number), name: 'coro', state: 'done' })
    expect(records.at(-1)).toEqual({ t: 10000, exit: 0, outcome: 'done' })
  })

  it('exits 1 with the traceback line when the program fails, as Python does', async () => {
    const { status, out } = await cli(['run-non-coroutine', '--virtual', '--json', '--no-history'])
    expect(status).toBe(1)
    expect(JSON.parse(out[0]!)).toMatchObject({ t: 0, line: expect.stringMatching(/^TypeError: a coroutine function was expected/), stream: 'stderr' })
    expect(JSON.parse(out.at(-1)!)).toMatchObject({ exit: 1, outcome: 'failed' })
  })

  it('exits 2 for an unknown id and lists the known ones, recording nothing', async () => {
    const { status, out, err } = await cli(['gahter', '--virtual', '--data-dir', dataDir()])
    expect(status).toBe(2)
    expect(out).toEqual([])
    expect(err[0]).toBe('scenario: unknown scenario "gahter"; the scenarios are:')
    expect(err.slice(1)).toEqual(scenarioIds.map((id) => `  ${id}`))
    expect(existsSync(dataDir())).toBe(false)
  })

  it('exits 2 for invalid params, naming the field and the rule, recording nothing', async () => {
    const { status, err } = await cli(['graceful-cancel', '--virtual', '--data-dir', dataDir(), '--params', '{"cancelAfter":"soon"}'])
    expect(status).toBe(2)
    expect(err).toEqual(['scenario: invalid params for graceful-cancel: cancelAfter: must be a number of milliseconds, got "soon"'])
    expect(existsSync(dataDir())).toBe(false)
  })

  it('records a run, its tasks and its lines in the history of --data-dir', async () => {
    const { status } = await cli(['graceful-cancel', '--virtual', '--data-dir', dataDir(), '--params', '{"cancelAfter":2500}'])
    expect(status).toBe(0)
    const history = openHistory(dataDir())
    try {
      const [summary] = history.listRuns()
      expect(summary).toMatchObject({ scenario: 'graceful-cancel', outcome: 'done', params: { cancelAfter: 2500 }, clock: 'virtual' })
      const detail = history.getRun(summary!.runId)!
      expect(detail.logs.map((l) => l.line)).toEqual([
        'operation start',
        'operation new round',
        'operation new round',
        'operation new round',
        'operation was cancelled',
        'operation done',
      ])
      expect(detail.tasks.map((t) => [t.name, t.state])).toEqual([
        ['main', 'done'],
        ['db_operation', 'done'],
      ])
    } finally {
      history.close()
    }
  })

  it('lists every scenario in course order', async () => {
    const { status, out } = await cli(['--list'])
    expect(status).toBe(0)
    expect(out.map((l) => l.split(/\s+/)[0])).toEqual([...scenarioIds])
  })
})
