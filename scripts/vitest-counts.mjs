// A Vitest reporter that writes what `npm test` sums, straight from Vitest's own test results:
// Vitest's JSON report counts an `it.fails` test that failed as expected among the passed ones and
// leaves out errors thrown outside any test, so it cannot tell the whole story by itself.
// Writes JSON to $LOOPWATCH_VITEST_COUNTS (default .test-results/vitest-counts.json):
//   { passed, failed, skipped, expectedFail, moduleErrors, unhandledErrors, reason }
import { mkdirSync, writeFileSync } from 'node:fs'
import { dirname, resolve } from 'node:path'

export default class VitestCounts {
  onTestRunEnd(testModules, unhandledErrors, reason) {
    const counts = { passed: 0, failed: 0, skipped: 0, expectedFail: 0, moduleErrors: 0, unhandledErrors: unhandledErrors.length, reason }
    for (const module of testModules) {
      // A file that failed to load, or whose beforeAll/afterAll threw, fails outside its tests.
      if (module.errors().length > 0) counts.moduleErrors += 1
      for (const test of module.children.allTests()) {
        const state = test.result().state
        if (state === 'passed') counts[test.options.fails ? 'expectedFail' : 'passed'] += 1
        else if (state === 'skipped') counts.skipped += 1
        // 'failed', or 'pending' in a finished run (it never ended): both are failures.
        else counts.failed += 1
      }
    }
    const path = resolve(process.env.LOOPWATCH_VITEST_COUNTS ?? '.test-results/vitest-counts.json')
    mkdirSync(dirname(path), { recursive: true })
    writeFileSync(path, JSON.stringify(counts))
  }
}
