import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach } from 'vitest'
import { createDaemons } from '../../src/main/daemons'
import type { Daemons, DaemonsOptions } from '../../src/main/daemons'
import { openHistory } from '../../src/main/history'
import type { OpenedHistory } from '../../src/main/history'

const cleanups: (() => Promise<void> | void)[] = []

afterEach(async () => {
  for (const fn of cleanups.splice(0).reverse()) await fn()
})

/** A history in a fresh folder and a Daemons host on it; both torn down after the test. */
export function setup(options: Omit<DaemonsOptions, 'history'> = {}): { history: OpenedHistory; daemons: Daemons } {
  const dir = mkdtempSync(join(tmpdir(), 'loopwatch-daemons-'))
  const history = openHistory(dir)
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }))
  cleanups.push(() => history.close())
  const daemons = createDaemons({ history, ...options })
  let shut = false
  const shutdown = daemons.shutdown.bind(daemons)
  daemons.shutdown = (graceMs) => ((shut = true), shutdown(graceMs))
  cleanups.push(async () => {
    if (!shut) await shutdown(0)
  })
  return { history, daemons }
}

/** Registers extra teardown (run before the daemons' own, newest first). */
export function onCleanup(fn: () => Promise<void> | void): void {
  cleanups.push(fn)
}

/** Resolves once `cond()` holds, checking after each turn of Node's event loop; fails after `ms` real ms. */
export async function until(cond: () => boolean, ms = 5000, what = 'condition'): Promise<void> {
  const deadline = performance.now() + ms
  while (!cond()) {
    if (performance.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((resolve) => setImmediate(resolve))
  }
}
