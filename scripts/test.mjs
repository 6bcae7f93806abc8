// `npm test`: the type check, the unit suites (Vitest) and the e2e suites (Playwright), in that
// order, then one closing line summing them all: `N passed, N failed, N skipped`.
// Each type check counts as one test. A suite that cannot start counts as one failure.
import { spawnSync } from 'node:child_process'
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync } from 'node:fs'

const out = '.test-results'
rmSync(out, { recursive: true, force: true })
mkdirSync(out, { recursive: true })
const total = { passed: 0, failed: 0, skipped: 0 }

function sh(cmd, args, env = {}) {
  console.log(`\n$ ${cmd} ${args.join(' ')}`)
  return spawnSync(cmd, args, { stdio: 'inherit', env: { ...process.env, ...env } }).status
}

function check(name, cmd, args) {
  const ok = sh(cmd, args) === 0
  total[ok ? 'passed' : 'failed'] += 1
  console.log(`${name}: ${ok ? 'passed' : 'FAILED'}`)
}

function readJson(path) {
  try {
    return JSON.parse(readFileSync(path, 'utf8'))
  } catch {
    return null
  }
}

check('tsc', 'npx', ['tsc', '--noEmit', '-p', 'tsconfig.json'])
check('svelte-check', 'npx', ['svelte-check', '--tsconfig', './tsconfig.web.json', '--threshold', 'error', '--output', 'human'])

const unitStatus = sh('npx', ['vitest', 'run', '--reporter=default', '--reporter=json', `--outputFile.json=${out}/vitest.json`])
const unit = readJson(`${out}/vitest.json`)
if (unit) {
  total.passed += unit.numPassedTests
  total.failed += unit.numFailedTests + (unit.numFailedTestSuites ?? 0)
  total.skipped += unit.numPendingTests + (unit.numTodoTests ?? 0)
} else if (unitStatus !== 0) total.failed += 1

const specs = existsSync('e2e') && readdirSync('e2e', { recursive: true }).some((f) => String(f).endsWith('.spec.ts'))
if (specs) {
  if (sh('npx', ['electron-vite', 'build', '--logLevel', 'warn']) !== 0) total.failed += 1
  const e2eStatus = sh('npx', ['playwright', 'test'], { PLAYWRIGHT_JSON_OUTPUT_NAME: `${out}/playwright.json` })
  const e2e = readJson(`${out}/playwright.json`)
  if (e2e?.stats) {
    total.passed += e2e.stats.expected + e2e.stats.flaky
    total.failed += e2e.stats.unexpected
    total.skipped += e2e.stats.skipped
    total.failed += e2e.errors?.length ?? 0
  } else if (e2eStatus !== 0) total.failed += 1
}

console.log(`\n${total.passed} passed, ${total.failed} failed, ${total.skipped} skipped`)
process.exit(total.failed === 0 ? 0 : 1)
