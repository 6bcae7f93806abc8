import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach } from 'vitest'
import { AppCore } from '../../src/main/app/app-core'
import { createHandlers, dispatch } from '../../src/main/ipc/index'
import type { Channel, EventName, InvokeArgs, Result, ResultOf } from '../../src/shared/contract'
import type { TaskDelta, TaskSnapshot } from '../../src/shared/snapshots'

const open: (() => Promise<void>)[] = []
afterEach(async () => {
  for (const close of open.splice(0)) await close()
})

/** A real app core (history in a temp folder, real daemons) driven through the dispatcher. */
export function openApp() {
  const dataDir = mkdtempSync(join(tmpdir(), 'lw-app-'))
  const core = new AppCore({ dataDir, host: 'web' })
  const handlers = createHandlers(core)
  const events: { event: EventName; payload: unknown }[] = []
  core.events.subscribe((event, payload) => events.push({ event, payload }))
  open.push(async () => {
    await core.close(500)
    rmSync(dataDir, { recursive: true, force: true })
  })

  /** Calls a channel as a renderer would (unknown channels and payloads allowed, for bad-input tests). */
  const call = (channel: string, payload?: unknown) => dispatch(handlers, channel, payload, () => {})
  /** Calls a channel that must succeed, typed by the contract. */
  const ok = async <C extends Channel>(channel: C, ...args: InvokeArgs<C>): Promise<ResultOf<C>> => {
    const r = (await call(channel, args[0])) as Result<ResultOf<C>>
    if (!r.ok) throw new Error(`${channel} failed: ${r.error.code} ${r.error.message}`)
    return r.value
  }
  /** The latest snapshot of every task seen in tasks:delta events. */
  const view = () => {
    const tasks = new Map<number, TaskSnapshot>()
    for (const e of events) {
      if (e.event !== 'tasks:delta') continue
      const d = e.payload as TaskDelta
      for (const t of [...d.created, ...d.changed, ...d.ended]) tasks.set(t.id, t)
    }
    return tasks
  }
  /** Polls (real time: daemons run on the real clock) until `check` returns a value. */
  const until = async <T>(check: () => T | undefined | null | false, timeoutMs = 5000): Promise<T> => {
    const end = Date.now() + timeoutMs
    for (;;) {
      const v = check()
      if (v) return v
      if (Date.now() > end) throw new Error('condition not met in time')
      await new Promise((r) => setTimeout(r, 10))
    }
  }
  return { core, call, ok, events, view, until, dataDir }
}
