// The counting rules of `npm test` (scripts/test.mjs), pure so they can be tested with fake
// reports (test/scripts/test-summary.test.ts). Two rules keep the counts honest:
//   - a suite whose process exits non-zero fails, even when its report shows no failure (Vitest
//     exits 1 for an error thrown outside any test; its JSON would still say 0 failed);
//   - a suite without a readable report counts as one failure, whatever its exit status.
// Expected failures (`it.fails`, Playwright's `test.fail`: known bugs kept visible) count under
// "skipped", never "passed", and a line of their own says how many; once the bug is fixed the test
// passes, which its runner reports as a failure, so it cannot stay hidden.

/**
 * @typedef {{ passed: number, failed: number, skipped: number, expectedFail: number }} Counts
 * @typedef {Counts & { name: string, note: string | null }} SuiteResult
 */

const zero = () => ({ passed: 0, failed: 0, skipped: 0, expectedFail: 0 })

/**
 * Applies the exit-status rule: a non-zero exit with no failure counted adds one, with a note.
 * @param {string} name @param {Counts} counts @param {number | null} status
 * @returns {SuiteResult}
 */
function settle(name, counts, status) {
  if (status === 0 || counts.failed > 0) return { name, ...counts, note: null }
  const how = status === null ? 'was killed' : `exited ${status}`
  return { name, ...counts, failed: 1, note: `${how} with no failing test in its report: counted as 1 failure` }
}

/**
 * A one-test check (tsc, svelte-check, the build, electronegativity): passed iff it exits 0.
 * @param {string} name @param {number | null} status
 * @returns {SuiteResult}
 */
export function fromCheck(name, status) {
  return { name, ...zero(), [status === 0 ? 'passed' : 'failed']: 1, note: null }
}

/**
 * Vitest, from scripts/vitest-counts.mjs's report: failed tests, files that failed outside their
 * tests and unhandled errors all count as failures.
 * @param {{ passed: number, failed: number, skipped: number, expectedFail: number, moduleErrors?: number, unhandledErrors?: number } | null} report
 * @param {number | null} status
 * @returns {SuiteResult}
 */
export function fromVitest(report, status) {
  if (!report) return { name: 'vitest', ...zero(), failed: 1, note: 'wrote no report: counted as 1 failure' }
  const failed = report.failed + (report.moduleErrors ?? 0) + (report.unhandledErrors ?? 0)
  return settle('vitest', { passed: report.passed, failed, skipped: report.skipped, expectedFail: report.expectedFail }, status)
}

/**
 * Playwright, from its JSON reporter: `expected` tests whose expected status is `failed` are
 * expected failures, not passes; errors outside tests (global setup, a crashed worker) fail.
 * @param {any} report @param {number | null} status
 * @returns {SuiteResult}
 */
export function fromPlaywright(report, status) {
  if (!report?.stats) return { name: 'playwright', ...zero(), failed: 1, note: 'wrote no report: counted as 1 failure' }
  let expectedFail = 0
  const walk = (suite) => {
    for (const spec of suite.specs ?? []) {
      for (const t of spec.tests ?? []) if (t.expectedStatus === 'failed' && t.status === 'expected') expectedFail += 1
    }
    for (const child of suite.suites ?? []) walk(child)
  }
  for (const suite of report.suites ?? []) walk(suite)
  const { expected = 0, flaky = 0, unexpected = 0, skipped = 0 } = report.stats
  const counts = { passed: expected + flaky - expectedFail, failed: unexpected + (report.errors?.length ?? 0), skipped, expectedFail }
  return settle('playwright', counts, status)
}

/**
 * Sums suites; expected failures join "skipped" in the closing line.
 * @param {SuiteResult[]} suites
 * @returns {Counts}
 */
export function total(suites) {
  const t = zero()
  for (const s of suites) for (const k of /** @type {(keyof Counts)[]} */ (Object.keys(t))) t[k] += s[k]
  return t
}

/** @param {SuiteResult} s @returns {string} one line per suite, printed as it ends */
export function suiteLine(s) {
  const xf = s.expectedFail > 0 ? `, ${s.expectedFail} expected-fail` : ''
  return `${s.name}: ${s.passed} passed, ${s.failed} failed, ${s.skipped} skipped${xf}${s.note ? ` (${s.note})` : ''}`
}

/**
 * The closing lines; the last is always `N passed, N failed, N skipped`.
 * @param {SuiteResult[]} suites
 * @returns {string[]}
 */
export function closingLines(suites) {
  const t = total(suites)
  const lines = suites.filter((s) => s.note).map((s) => `${s.name} ${s.note}`)
  if (t.expectedFail > 0) lines.push(`${t.expectedFail} expected-fail (known bugs written as it.fails / test.fail) are counted under skipped`)
  lines.push(`${t.passed} passed, ${t.failed} failed, ${t.skipped + t.expectedFail} skipped`)
  return lines
}

/** @param {SuiteResult[]} suites @returns {0 | 1} npm test's exit status */
export function exitStatus(suites) {
  return total(suites).failed === 0 ? 0 : 1
}
