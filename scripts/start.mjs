// `npm start`: the Electron window where Electron can run; otherwise one line saying why, then the
// browser host (same main-side code, same renderer) in this same process, with its URL printed.
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

/**
 * Runs the Electron window as our child and passes every shutdown on to it: each signal, and our
 * own parent going away without one (npm's shell dies on SIGTERM without passing it on). Electron
 * quits gracefully on SIGTERM.
 */
function runElectron(cmd, cmdArgs) {
  const child = spawn(cmd, cmdArgs, { stdio: 'inherit' })
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(sig, () => child.kill(sig))
  const parent = process.ppid
  if (parent > 1) {
    setInterval(() => {
      if (process.ppid !== parent) child.kill('SIGTERM')
    }, 250).unref()
  }
  child.on('exit', (code, signal) => process.exit(code ?? (signal ? 128 : 0)))
}

const binary = existsSync('node_modules/electron/path.txt') ? electronBinary() : null
const display = process.platform !== 'linux' || process.env.DISPLAY || process.env.WAYLAND_DISPLAY
if (binary && display) {
  const built = spawnSync('npx', ['electron-vite', 'build'], { stdio: 'inherit' })
  if (built.status !== 0) process.exit(built.status ?? 1)
  runElectron(binary, ['.', ...args])
} else {
  const why = binary ? 'there is no display to open it on' : 'the Electron binary is not installed, its download being unreachable here'
  console.log(`loopwatch: no Electron window (${why}); starting the browser host instead.`)
  const { register } = await import('tsx/esm/api')
  register()
  const { runLoopwatchProcess } = await import('../src/main/cli/entry.ts')
  await runLoopwatchProcess(['serve', '--build', ...args])
}
