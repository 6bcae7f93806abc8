// `npm test`: the type checks, electronegativity, the unit suites (Vitest), the build and the e2e
// suites (Playwright), in that order, then one closing line summing them all:
// `N passed, N failed, N skipped`. Each check counts as one test. Any suite that exits non-zero
// fails `npm test`, whatever its report says; the rules are in scripts/test-summary.mjs.
import { spawnSync } from 'node:child_process'
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync } from 'node:fs'
import { closingLines, exitStatus, fromCheck, fromPlaywright, fromVitest, suiteLine } from './test-summary.mjs'

const out = '.test-results'
rmSync(out, { recursive: true, force: true })
mkdirSync(out, { recursive: true })
/** @type {import('./test-summary.mjs').SuiteResult[]} */
const suites = []

function sh(cmd, args, env = {}) {
  console.log(`\n$ ${cmd} ${args.join(' ')}`)
  const r = spawnSync(cmd, args, { stdio: 'inherit', env: { ...process.env, ...env } })
  // status is null when the process was killed or could not start: both are failures.
  return r.status
}

function record(suite) {
  suites.push(suite)
  console.log(suiteLine(suite))
}

function readJson(path) {
  try {
    return JSON.parse(readFileSync(path, 'utf8'))
  } catch {
    return null
  }
}

record(fromCheck('tsc', sh('npx', ['tsc', '--noEmit', '-p', 'tsconfig.json'])))
record(fromCheck('svelte-check', sh('npx', ['svelte-check', '--tsconfig', './tsconfig.web.json', '--threshold', 'error', '--output', 'human'])))
record(fromCheck('electronegativity', sh('node', ['scripts/electronegativity.mjs', 'src'])))

const counts = `${out}/vitest-counts.json`
const unitStatus = sh('npx', ['vitest', 'run', '--reporter=default', '--reporter=./scripts/vitest-counts.mjs'], { LOOPWATCH_VITEST_COUNTS: counts })
record(fromVitest(readJson(counts), unitStatus))

const specs = existsSync('e2e') && readdirSync('e2e', { recursive: true }).some((f) => String(f).endsWith('.spec.ts'))
if (specs) {
  record(fromCheck('electron-vite build', sh('npx', ['electron-vite', 'build', '--logLevel', 'warn'])))
  const e2eStatus = sh('npx', ['playwright', 'test'], { PLAYWRIGHT_JSON_OUTPUT_NAME: `${out}/playwright.json` })
  record(fromPlaywright(readJson(`${out}/playwright.json`), e2eStatus))
}

console.log('')
for (const line of closingLines(suites)) console.log(line)
process.exit(exitStatus(suites))
