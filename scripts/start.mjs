// `npm start`: the Electron window where Electron can run; otherwise one line saying why, then the
// browser host (same main-side code, same renderer) with its URL printed.
import { existsSync } from 'node:fs'
import { spawn, spawnSync } from 'node:child_process'
import { createRequire } from 'node:module'

const require = createRequire(import.meta.url)
const args = process.argv.slice(2)

function electronBinary() {
  try {
    const path = require('electron') // the binary's path; throws (or the file is absent) when not downloaded
    return typeof path === 'string' && existsSync(path) ? path : null
  } catch {
    return null
  }
}

function run(cmd, cmdArgs) {
  const child = spawn(cmd, cmdArgs, { stdio: 'inherit' })
  for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => child.kill(sig))
  child.on('exit', (code) => process.exit(code ?? 0))
}

const binary = existsSync('node_modules/electron/path.txt') ? electronBinary() : null
const display = process.platform !== 'linux' || process.env.DISPLAY || process.env.WAYLAND_DISPLAY
if (binary && display) {
  const built = spawnSync('npx', ['electron-vite', 'build'], { stdio: 'inherit' })
  if (built.status !== 0) process.exit(built.status ?? 1)
  run(binary, ['.', ...args])
} else {
  const why = binary ? 'there is no display to open it on' : 'the Electron binary is not installed, its download being unreachable here'
  console.log(`loopwatch: no Electron window (${why}); starting the browser host instead.`)
  run(process.execPath, ['scripts/serve.mjs', ...args])
}
