/** Argument checks shared by the runtime's entry points: misuse gets a clear error and changes nothing. */

/** A short description of a value for error messages: `42 (number)`, `a Promise`, `undefined`. */
export function describeValue(v: unknown): string {
  if (v === null) return 'null'
  if (v === undefined) return 'undefined'
  if (typeof v === 'string') return `${JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}…` : v)} (string)`
  if (typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint') return `${String(v)} (${typeof v})`
  if (typeof v === 'symbol') return `${String(v)} (symbol)`
  if (typeof v === 'function') return `function ${v.name || '(anonymous)'}`
  if (v instanceof Promise) return 'a Promise'
  if (typeof (v as { then?: unknown }).then === 'function') return 'a thenable'
  const ctor = (v as object).constructor?.name
  return ctor && ctor !== 'Object' ? `a ${ctor}` : 'an object'
}

/**
 * The runtime takes coroutine functions, never the promise one already returned.
 * Throws TypeError "a coroutine function was expected, got …".
 */
export function validateCoroutineFunction(v: unknown): void {
  if (typeof v === 'function') return
  const hint =
    v !== null && typeof v === 'object' && typeof (v as { then?: unknown }).then === 'function'
      ? ' — pass the async function itself, not the promise it returned'
      : ''
  throw new TypeError(`a coroutine function was expected, got ${describeValue(v)}${hint}`)
}

/** Delays are numbers of ms; NaN and non-numbers are refused (≤ 0 means "yield once", as asyncio). */
export function validateDelay(ms: unknown, what: string): asserts ms is number {
  if (typeof ms !== 'number' || Number.isNaN(ms)) {
    throw new TypeError(`${what}() takes a delay in ms (a number), got ${describeValue(ms)}`)
  }
}
