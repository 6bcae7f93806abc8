import { spawn } from 'node:child_process'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import type { ShutdownTrigger } from '../app/shutdown-signals'

/** How long a shutdown waits for a build under way before killing it. */
export const BUILD_STOP_WAIT_MS = 30_000

/**
 * Builds main, preload and renderer into `out/` with electron-vite, run by this Node directly (no
 * npx or shell in between). Resolves true when it built and no shutdown came meanwhile.
 *
 * The build runs in its own process group, and a shutdown lets it finish (seconds) rather than
 * kill it: electron-vite killed half-way leaves its bundled config (`electron.vite.config.ts.<n>.mjs`)
 * in the repo. One that takes longer than BUILD_STOP_WAIT_MS is killed all the same.
 */
export async function buildRenderer(root: string, trigger: ShutdownTrigger, io: { err(line: string): void }): Promise<boolean> {
  const require = createRequire(join(root, 'package.json'))
  const pkg = require.resolve('electron-vite/package.json')
  const bin = join(dirname(pkg), (require(pkg) as { bin: Record<string, string> }).bin['electron-vite']!)
  const child = spawn(process.execPath, [bin, 'build', '--logLevel', 'warn'], { cwd: root, stdio: 'inherit', detached: true })
  let killTimer: NodeJS.Timeout | undefined
  const unsubscribe = trigger.on(() => {
    io.err('loopwatch: stopping once the renderer build under way has finished…')
    killTimer = setTimeout(() => child.kill('SIGTERM'), BUILD_STOP_WAIT_MS)
  })
  const code = await new Promise<number | null>((done) => {
    child.once('error', () => done(null))
    child.once('exit', (c) => done(c))
  })
  clearTimeout(killTimer)
  unsubscribe()
  return code === 0 && trigger.reason === null
}
