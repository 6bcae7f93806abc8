import { spawnSync } from 'node:child_process'
import { describe, expect, it } from 'vitest'
import { repoRoot } from '../scenarios/helpers'

/** `loopwatch scenario …` (bin/loopwatch.mjs, what `npm run scenario` runs) as a real process (slow: keep these few). */
function scenarioProcess(args: string[]) {
  return spawnSync(process.execPath, ['bin/loopwatch.mjs', 'scenario', ...args], { cwd: repoRoot, encoding: 'utf8', timeout: 60_000 })
}

describe('the scenario CLI as a process', () => {
  it("prints graceful-cancel's course output on the virtual clock and exits 0", () => {
    const { status, stdout } = scenarioProcess(['graceful-cancel', '--virtual', '--no-history'])
    expect(stdout.split('\n').filter(Boolean).map((l) => l.replace(/^.*\]  /, ''))).toEqual([
      'operation start',
      ...Array(5).fill('operation new round'),
      'operation was cancelled',
      'operation done',
    ])
    expect(status).toBe(0)
  })

  it('prints JSON lines and exits 1 when the program fails', () => {
    const { status, stdout } = scenarioProcess(['run-non-coroutine', '--virtual', '--json', '--no-history'])
    const last = JSON.parse(stdout.trim().split('\n').at(-1)!)
    expect(last).toMatchObject({ exit: 1, outcome: 'failed' })
    expect(status).toBe(1)
  })

  it('exits 2 for an unknown scenario id', () => {
    const { status, stderr } = scenarioProcess(['no-such-scenario', '--virtual'])
    expect(stderr).toMatch(/unknown scenario "no-such-scenario"/)
    expect(status).toBe(2)
  })
})
