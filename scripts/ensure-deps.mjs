// Folds `npm ci` into `npm start` / `npm test`: a fresh clone needs only the README's two commands.
// Reinstalls when node_modules is missing or older than the lock file.
import { existsSync, statSync } from 'node:fs'
import { spawnSync } from 'node:child_process'

const marker = 'node_modules/.package-lock.json'
const stale = !existsSync(marker) || statSync(marker).mtimeMs < statSync('package-lock.json').mtimeMs
if (stale) {
  console.log('loopwatch: installing dependencies (npm ci)…')
  const r = spawnSync('npm', ['ci', '--no-audit', '--no-fund'], { stdio: 'inherit' })
  if (r.status !== 0) process.exit(r.status ?? 1)
}
