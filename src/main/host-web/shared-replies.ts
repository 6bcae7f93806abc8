import type { Channel, Result } from '../../shared/contract'
import { stringifyInSlices } from './json-slices'

/** Runs one command (the shared dispatcher, bound to the app's handlers). */
export type Dispatch = (channel: unknown, payload: unknown) => Promise<Result<unknown>>

/**
 * Read-only commands without a payload: identical requests get one answer, built and serialised
 * once for every socket that asked (a snapshot of 10,000 tasks is ~5 MB of JSON, ~50 ms).
 */
export const SHARED_CHANNELS = ['app:snapshot', 'scenarios:list', 'runs:list', 'daemons:list'] as const satisfies readonly Channel[]

export const SHARE_LIMITS = {
  /** A finished answer is reused for at most this long after it was serialised (and only while nothing has happened). */
  maxAgeMs: 1_000,
  /** After a build that took t ms, the next one waits t ms (at most this): builds use ≤ half the host. */
  maxCooldownMs: 1_000,
} as const

const shareable = new Set<unknown>(SHARED_CHANNELS)
const UNSERIALISABLE = Buffer.from(JSON.stringify({ ok: false, error: { code: 'internal', message: 'the answer could not be serialised' } }).slice(1))

interface Build {
  /** One per joined request: is its socket still there? */
  waiters: (() => boolean)[]
  tail: Promise<Buffer | null>
}

interface Done {
  tail: Buffer
  /** Sessions opened up to this count were listening when it was taken. */
  epoch: number
  /** The app's event count when it was taken. */
  version: number
  takenAt: number
  /** When it was serialised (performance.now()). */
  doneAt: number
}

interface Slot {
  /** The next build, not yet taken: anyone asking now joins it. */
  pending: Build | null
  /** The build taken and being serialised: its answer will do if nothing happens meanwhile. */
  running: (Build & Omit<Done, 'tail' | 'doneAt'>) | null
  /** The last answer, while it may still be reused. */
  done: Done | null
  /** The next build is not taken before this (performance.now()). */
  notBefore: number
}

/**
 * Answers shared between requests and sockets, one slot per channel.
 *
 * Why it is correct for a snapshot, which the client patches with the deltas that follow it: a
 * request joins only a build that has not been taken yet (so the snapshot is never older than
 * the request), or reuses a finished answer when no app event at all has been emitted since it
 * was taken and the asking socket was already open then (so every later change reaches that
 * socket as a delta). Builds of one channel follow each other with a cooldown as long as the
 * last one took: whatever the number of requests and sockets, snapshot work takes at most about
 * half of the host's time. Serialisation goes a slice at a time, and stops (as does the build)
 * as soon as no socket that asked is still open.
 */
export class SharedReplies {
  private readonly slots = new Map<string, Slot>()
  private opened = 0
  private version = 0

  constructor(
    private readonly dispatch: Dispatch,
    private readonly now: () => number = () => performance.now(),
  ) {}

  /** Registers a new session; returns its epoch (see the class comment). */
  open(): number {
    return ++this.opened
  }

  /** Called for every app event: finished answers are out of date. */
  changed(): void {
    this.version++
    for (const slot of this.slots.values()) slot.done = null
  }

  /**
   * The reply without its id, `"ok":…}`, to be sent after `{"id":…,`. Null when this request is
   * not shareable; resolves null when every socket that asked went away first. Never rejects.
   */
  tail(channel: unknown, payload: unknown, epoch: number, alive: () => boolean): Promise<Buffer | null> | null {
    if (payload !== undefined || typeof channel !== 'string' || !shareable.has(channel)) return null
    let slot = this.slots.get(channel)
    if (!slot) this.slots.set(channel, (slot = { pending: null, running: null, done: null, notBefore: 0 }))
    const done = slot.done
    if (done && done.version === this.version && epoch <= done.epoch && this.now() - done.doneAt <= SHARE_LIMITS.maxAgeMs) return Promise.resolve(done.tail)
    const running = slot.running
    if (running && running.version === this.version && epoch <= running.epoch) {
      // Taken after this socket opened and nothing has happened since: its answer is current
      // unless something happens before it is done, in which case this request takes the next.
      running.waiters.push(alive)
      const owner = slot
      return running.tail.then((tail) => (tail && owner.done?.tail === tail ? tail : this.tail(channel, payload, epoch, alive)))
    }
    slot.pending ??= this.schedule(channel, slot)
    slot.pending.waiters.push(alive)
    return slot.pending.tail
  }

  private schedule(channel: string, slot: Slot): Build {
    const build: Build = { waiters: [], tail: Promise.resolve(null) }
    const wanted = () => build.waiters.some((alive) => alive())
    const delay = slot.notBefore - this.now()
    const turn = new Promise<void>((resolve) => (delay > 0 ? setTimeout(resolve, delay) : setImmediate(resolve)))
    build.tail = turn.then(async () => {
      slot.pending = null
      if (!wanted()) return null
      const taken: Omit<Done, 'tail' | 'doneAt'> = { epoch: this.opened, version: this.version, takenAt: this.now() }
      const running = Object.assign(build, taken)
      slot.running = running
      let tail: Buffer | null
      try {
        const result = await this.dispatch(channel, undefined)
        const json = wanted() ? await stringifyInSlices(result, wanted) : null
        tail = json === null ? null : Buffer.from(json.slice(1))
      } catch {
        tail = UNSERIALISABLE
      }
      if (slot.running === running) slot.running = null
      const end = this.now()
      slot.notBefore = end + Math.min(end - taken.takenAt, SHARE_LIMITS.maxCooldownMs)
      if (tail && tail !== UNSERIALISABLE && taken.version === this.version) slot.done = { tail, ...taken, doneAt: end }
      return tail
    })
    return build
  }
}
