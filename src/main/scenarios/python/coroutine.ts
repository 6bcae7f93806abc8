/**
 * A Python coroutine object: calling `async def action()` in Python creates one and runs nothing
 * until it is awaited. A JS async function starts the moment it is called, so the course's
 * "returned but never awaited" bug cannot be written with one; this object is the faithful
 * equivalent — a deferred call that runs only through `start()`.
 *
 * It is deliberately not thenable: returning it from an async function (as the course's
 * `__aexit__` returns `action()`) hands the object over instead of awaiting it.
 */
export class Coroutine<T> {
  #started = false
  #closed = false

  constructor(
    /** The function's name, as CPython's warning shows it. */
    readonly name: string,
    private readonly body: () => Promise<T>,
    /** Where CPython's "never awaited" RuntimeWarning goes when the object is dropped unrun. */
    private readonly warn: (message: string) => void,
  ) {}

  /** Runs the body (what `await coro` does); a coroutine runs at most once. */
  start(): Promise<T> {
    if (this.#started) throw new Error(`cannot reuse already awaited coroutine '${this.name}'`)
    this.#started = true
    return this.body()
  }

  /**
   * The object is dropped (CPython frees it at once, by reference counting): warn if it never ran.
   */
  close(): void {
    if (this.#closed) return
    this.#closed = true
    if (!this.#started) this.warn(`RuntimeWarning: coroutine '${this.name}' was never awaited`)
  }
}

/** `action()` in Python: a coroutine object for `fn`, named after it. */
export function coroutine<T>(fn: () => Promise<T>, warn: (message: string) => void): Coroutine<T> {
  return new Coroutine(fn.name || 'coroutine', fn, warn)
}

/** Drops a value Python would let go of: a coroutine object among them reports itself unrun. */
export function discard(value: unknown): void {
  if (value instanceof Coroutine) value.close()
}
