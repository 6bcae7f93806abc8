// Step timing in the Python agent, against the app's own: the same bucket for the same duration
// (steps.py's twin of step-stats.ts), and a real CPython program whose coroutine blocks its loop
// 50 ms (time.sleep) seen through a real hub as a slow step of that task, in the window's terms,
// with its task's timing answered to task:timing. Commands it does not know: unknown_command.
import { execFile } from 'node:child_process'
import { promisify } from 'node:util'
import { describe, expect, it } from 'vitest'
import { appUrl } from '../../src/shared/agent-protocol/index'
import { ExternalSources } from '../../src/main/sources/external-sources'
import type { UnsequencedDelta } from '../../src/main/sources/translate'
import { stepBucket } from '../../src/main/monitor/step-stats'
import { STEP_BUCKETS } from '../../src/shared/snapshots'
import { eventually, startHub } from '../hub/hub-helper'
import { AGENT_PATH, DEBIAN_PYTHON, missingModules, spawnProgram } from './python-helper'

const PROGRAM = `import asyncio, time

async def blocker():
    await asyncio.sleep(0.05)
    time.sleep(0.05)  # holds the loop 50 ms
    await asyncio.sleep(3600)

async def main():
    await asyncio.gather(asyncio.create_task(blocker(), name="blocker"), asyncio.create_task(asyncio.sleep(3600), name="idler"))

asyncio.run(main())
`

/** Every edge of the buckets and a spread between them, in ms. */
function durations(): number[] {
  const out = [0, 1e-7, 0.0005, 0.000999, 1e9, Number.MAX_SAFE_INTEGER]
  for (let k = 0; k <= STEP_BUCKETS; k++) {
    const us = 2 ** k
    for (const d of [us - 1, us - 0.5, us, us + 0.5, us * 1.5]) out.push(d / 1000)
  }
  for (let i = 0; i < 200; i++) out.push(Math.exp(i / 10) / 1e4)
  return out
}

describe.skipIf(missingModules(DEBIAN_PYTHON, []) !== null)('the Python agent’s step timing', () => {
  it('puts every duration in the bucket step-stats.ts puts it in', async () => {
    const ms = durations()
    const script = `import json, sys\nfrom loopwatch_agent.steps import step_bucket\nprint(json.dumps([step_bucket(x) for x in json.load(sys.stdin)]))`
    const run = promisify(execFile)(DEBIAN_PYTHON, ['-c', script], { cwd: AGENT_PATH, env: { ...process.env, PYTHONPATH: AGENT_PATH } })
    run.child.stdin!.end(JSON.stringify(ms))
    const python = JSON.parse((await run).stdout) as number[]
    expect(python).toEqual(ms.map(stepBucket))
    expect(new Set(python).size).toBe(STEP_BUCKETS) // every bucket was exercised
  })

  it('a coroutine that blocks its loop 50 ms is a slow step of its task in the window; task:timing answers its time', { timeout: 40_000 }, async () => {
    const hub = await startHub()
    const deltas: UnsequencedDelta[] = []
    const sources = new ExternalSources({ emit: (d) => deltas.push(d), onSources: () => {} })
    sources.attach(hub)
    const child = await spawnProgram('blocking.py', PROGRAM, ['--step-timing', '--app', appUrl(hub)])
    const slowOf = (name: string) => deltas.flatMap((d) => d.slowSteps ?? []).filter((s) => s.taskName === name)
    await eventually(() => slowOf('blocker').some((s) => s.durationMs >= 50), 20_000)
    const blocker = sources.tasks().find((t) => t.name === 'blocker')!
    const step = slowOf('blocker').find((s) => s.durationMs >= 50)!
    // In the window's terms: the app-wide id, the source's loop, and the awaits around the block.
    expect(step).toMatchObject({ taskId: blocker.id, loop: blocker.loop, resumedFrom: 'sleep 0.05 s', parkedOn: expect.stringMatching(/^sleep 3600\.0 s/) })
    expect(blocker.loop).toMatch(/^agent-1\/loop-1$/)
    expect(slowOf('idler')).toEqual([])

    const timing = await sources.timing(blocker.id)
    expect(timing).not.toBeNull()
    expect(timing!.steps).toBe(2)
    expect(timing!.maxStepMs).toBeGreaterThanOrEqual(50)
    expect(timing!.stepHist[stepBucket(timing!.maxStepMs)]).toBe(1)
    expect(timing!.stepHist.reduce((a, b) => a + b, 0)).toBe(2)
    expect(timing!.idleMs).toBeGreaterThanOrEqual(40) // its first sleep, 50 ms
    // A command it does not know: answered unknown_command, not left to time out.
    const inspect = await hub.sendCommand('agent-1', { type: 'loop:inspect', loopId: 'loop-1' })
    expect(inspect).toMatchObject({ ok: false, error: { code: 'unknown_command' } })
    expect(hub.source('agent-1')).toMatchObject({ state: 'connected', errors: 0 })
  })
})
