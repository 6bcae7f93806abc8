// Where the Loopwatch checkout is, found from this module's own place: the same answer from the
// sources (tsx: src/main/programs/) and from Electron's bundle (out/main/).
import { existsSync, readFileSync } from 'node:fs'
import { dirname, join } from 'node:path'

let cached: string | null = null

/** The directory holding Loopwatch's package.json (`"name": "loopwatch"`), walking up from here. */
export function repoRoot(from: string = import.meta.dirname): string {
  if (cached && from === import.meta.dirname) return cached
  for (let dir = from; ; dir = dirname(dir)) {
    const pkg = join(dir, 'package.json')
    if (existsSync(pkg) && (JSON.parse(readFileSync(pkg, 'utf8')) as { name?: string }).name === 'loopwatch') {
      if (from === import.meta.dirname) cached = dir
      return dir
    }
    if (dirname(dir) === dir) throw new Error(`no Loopwatch package.json above ${from}`)
  }
}
