import { spawn } from 'node:child_process'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import type { ShutdownTrigger } from '../app/shutdown-signals'

/**
 * Builds main, preload and renderer into `out/` with electron-vite, run by this Node directly (no
 * npx or shell between us and it, so a shutdown reaches it). Resolves true when it succeeded; a
 * shutdown during the build stops it and resolves false.
 */
export async function buildRenderer(root: string, trigger: ShutdownTrigger): Promise<boolean> {
  const require = createRequire(join(root, 'package.json'))
  const pkg = require.resolve('electron-vite/package.json')
  const bin = join(dirname(pkg), (require(pkg) as { bin: Record<string, string> }).bin['electron-vite']!)
  const child = spawn(process.execPath, [bin, 'build', '--logLevel', 'warn'], { cwd: root, stdio: 'inherit' })
  const unsubscribe = trigger.on(() => child.kill('SIGTERM'))
  const code = await new Promise<number | null>((done) => {
    child.once('error', () => done(null))
    child.once('exit', (c) => done(c))
  })
  unsubscribe()
  return code === 0 && trigger.reason === null
}
