import { spawnSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { describe, expect, it } from 'vitest'
import { getScenario, scenarioIds, scenarios } from '../../src/main/scenarios/index'
import { type OracleScenario, oracleDir, repoRoot } from './helpers'

const catalogue: OracleScenario[] = JSON.parse(readFileSync(join(oracleDir, 'scenarios.json'), 'utf8'))
const tutorial = readFileSync(resolve(repoRoot, '../shared/seed/asyncio-tutorial.ru.txt'), 'utf8')

describe('the scenario catalogue', () => {
  it('holds one scenario per oracle id, in course order', () => {
    expect(scenarioIds).toEqual(catalogue.map((s) => s.id))
  })

  it("gives each scenario the oracle's title and course section", () => {
    for (const s of catalogue) {
      expect(getScenario(s.id)).toMatchObject({ title: s.title, section: s.course_section })
    }
  })

  it("takes the oracle's params as its defaults", () => {
    for (const s of catalogue) {
      expect(getScenario(s.id)!.defaults).toMatchObject(s.params)
    }
  })

  it('shows every course program verbatim from the tutorial', () => {
    for (const s of scenarios) {
      expect(tutorial).toContain(s.courseSource)
      expect(s.courseSource).toMatch(/^import asyncio\n/)
      if (s.courseOutput !== null) expect(tutorial).toContain(s.courseOutput)
    }
  })

  it("shows each port's own program text from its module", () => {
    for (const s of scenarios) {
      const module = readFileSync(resolve(repoRoot, 'src/main/scenarios/programs', `${s.id}.ts`), 'utf8')
      expect(module).toContain(s.portSource)
      expect(s.portSource).toMatch(/async function program/)
    }
  })

  it('keeps the generated sources module up to date with the course and the programs', () => {
    const check = spawnSync('node', [resolve(repoRoot, 'scripts/gen-scenario-sources.mjs'), '--check'], { encoding: 'utf8' })
    expect(check.stderr).toBe('')
    expect(check.status).toBe(0)
  })

  it('describes every course bug the oracle lists in the scenario it affects', () => {
    expect(getScenario('stats-daemon')!.description).toMatch(/import time/)
    expect(getScenario('stats-daemon-run')!.description).toMatch(/NameError/)
    for (const id of ['wait-all-completed', 'wait-first-completed', 'first-exception']) {
      expect(getScenario(id)!.description).toMatch(/3\.11 refuses/)
    }
    expect(getScenario('async-context-manager')!.description).toMatch(/never awaited/)
    expect(getScenario('run-non-coroutine')!.description).toMatch(/ValueError: a coroutine was expected, got None/)
    expect(getScenario('users-csv')!.description).toMatch(/get_event_loop/)
  })
})
