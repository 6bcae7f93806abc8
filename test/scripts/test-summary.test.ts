import { describe, expect, it } from 'vitest'
import { closingLines, exitStatus, fromCheck, fromPlaywright, fromVitest, suiteLine, total } from '../../scripts/test-summary.mjs'

const vitest = (o: Partial<Record<'passed' | 'failed' | 'skipped' | 'expectedFail' | 'moduleErrors' | 'unhandledErrors', number>> = {}) => ({
  passed: 10,
  failed: 0,
  skipped: 2,
  expectedFail: 0,
  moduleErrors: 0,
  unhandledErrors: 0,
  ...o,
})

/** A Playwright JSON report with one spec per given test, as its JSON reporter nests them. */
function playwright(tests: { expectedStatus: 'passed' | 'failed' | 'skipped'; status: 'expected' | 'unexpected' | 'flaky' | 'skipped' }[], errors: unknown[] = []) {
  const stats = { expected: 0, unexpected: 0, flaky: 0, skipped: 0 }
  for (const t of tests) stats[t.status] += 1
  return { stats, errors, suites: [{ title: 'a.spec.ts', specs: [], suites: [{ title: 'group', specs: tests.map((t, i) => ({ title: `t${i}`, tests: [t] })) }] }] }
}

describe('npm test counting (scripts/test-summary.mjs)', () => {
  it('a Vitest run whose report shows 0 failures but that exited 1 counts as failed, and npm test fails', () => {
    const suite = fromVitest(vitest(), 1)
    expect(suite).toMatchObject({ passed: 10, failed: 1, skipped: 2 })
    expect(suite.note).toMatch(/exited 1 with no failing test/)
    expect(exitStatus([fromCheck('tsc', 0), suite])).toBe(1)
    expect(closingLines([fromCheck('tsc', 0), suite]).at(-1)).toBe('11 passed, 1 failed, 2 skipped')
  })

  it('errors outside any test (unhandled, or a file that failed to load) are failures even when every test passed', () => {
    expect(fromVitest(vitest({ unhandledErrors: 2 }), 1)).toMatchObject({ passed: 10, failed: 2 })
    expect(fromVitest(vitest({ moduleErrors: 1 }), 1)).toMatchObject({ failed: 1 })
  })

  it('a suite killed or without a report is one failure, whatever its exit status', () => {
    expect(fromVitest(null, 0)).toMatchObject({ passed: 0, failed: 1 })
    expect(fromVitest(vitest(), null).note).toMatch(/was killed/)
    expect(fromPlaywright(null, 0)).toMatchObject({ failed: 1 })
    expect(fromPlaywright({ errors: [] }, 1)).toMatchObject({ failed: 1 })
  })

  it('counts failing tests once, not once more for the exit status', () => {
    expect(fromVitest(vitest({ failed: 3 }), 1)).toMatchObject({ failed: 3, note: null })
  })

  it('a check passes only when it exits 0', () => {
    expect(fromCheck('tsc', 0)).toMatchObject({ passed: 1, failed: 0 })
    expect(fromCheck('electronegativity', 1)).toMatchObject({ passed: 0, failed: 1 })
    expect(fromCheck('build', null)).toMatchObject({ passed: 0, failed: 1 })
  })

  it('expected failures count under skipped, never passed, and get a line of their own before the closing line', () => {
    const unit = fromVitest(vitest({ passed: 7, expectedFail: 3, skipped: 1 }), 0)
    const e2e = fromPlaywright(
      playwright([
        { expectedStatus: 'passed', status: 'expected' },
        { expectedStatus: 'passed', status: 'flaky' },
        { expectedStatus: 'failed', status: 'expected' },
        { expectedStatus: 'skipped', status: 'skipped' },
      ]),
      0,
    )
    expect(e2e).toMatchObject({ passed: 2, failed: 0, skipped: 1, expectedFail: 1 })
    expect(suiteLine(unit)).toBe('vitest: 7 passed, 0 failed, 1 skipped, 3 expected-fail')
    expect(total([unit, e2e])).toEqual({ passed: 9, failed: 0, skipped: 2, expectedFail: 4 })
    const lines = closingLines([unit, e2e])
    expect(lines).toEqual(['4 expected-fail (known bugs written as it.fails / test.fail) are counted under skipped', '9 passed, 0 failed, 6 skipped'])
    expect(exitStatus([unit, e2e])).toBe(0)
  })

  it("Playwright: unexpected results and errors outside tests fail; a fixed known bug (test.fail that passed) is unexpected, so it fails", () => {
    const r = fromPlaywright(playwright([{ expectedStatus: 'failed', status: 'unexpected' }, { expectedStatus: 'passed', status: 'expected' }], [{ message: 'global setup' }]), 1)
    expect(r).toMatchObject({ passed: 1, failed: 2, expectedFail: 0, note: null })
    expect(fromPlaywright(playwright([{ expectedStatus: 'passed', status: 'expected' }]), 1)).toMatchObject({ passed: 1, failed: 1 })
  })

  it('the closing line is last and sums every suite', () => {
    const suites = [fromCheck('tsc', 0), fromCheck('svelte-check', 0), fromVitest(vitest({ failed: 1 }), 1), fromCheck('build', 0), fromPlaywright(playwright([{ expectedStatus: 'passed', status: 'expected' }]), 0)]
    expect(closingLines(suites).at(-1)).toBe('14 passed, 1 failed, 2 skipped')
  })
})
