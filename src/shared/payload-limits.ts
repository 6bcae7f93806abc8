// The shape every payload must have before its schema runs: plain JSON, not too deep, not too
// many values, no key that names a prototype. Checked in one cheap pass that stops at the first
// problem (an array's length is read before its items), so a hostile payload costs its own size
// at most once and a schema never sees 200,000 items to report on.

/** Keys that reach an object's prototype machinery; valibot silently drops them, we refuse them. */
export const FORBIDDEN_KEYS = ['__proto__', 'constructor', 'prototype'] as const

export const PAYLOAD_LIMITS = {
  /** Nesting of objects and arrays (a cycle, which structured clone can carry, ends here too). */
  maxDepth: 16,
  /** Values of every kind, counted over the whole payload. */
  maxValues: 10_000,
  /** Characters of every string and key together (the WebSocket's frame limit is 1 MiB). */
  maxChars: 1 << 20,
} as const

const forbidden = new Set<string>(FORBIDDEN_KEYS)

/** True for `{}`-like objects: not arrays, not class instances (Date, Map, typed arrays…). */
export function isPlainObject(x: unknown): x is Record<string, unknown> {
  if (typeof x !== 'object' || x === null || Array.isArray(x)) return false
  const proto = Object.getPrototypeOf(x) as unknown
  return proto === Object.prototype || proto === null
}

/**
 * Why a payload is not acceptable JSON within PAYLOAD_LIMITS, or null when it is. The reason
 * names the place (`params.delays`) and never quotes the input.
 *
 * @example payloadProblem({ params: { __proto__: 1 } }) // 'params: the key "__proto__" is not allowed'
 */
export function payloadProblem(payload: unknown): string | null {
  let values = 0
  let chars = 0
  const stack: { value: unknown; path: string; depth: number }[] = [{ value: payload, path: '', depth: 0 }]
  const where = (path: string) => (path === '' ? 'the payload' : path)
  while (stack.length > 0) {
    const { value, path, depth } = stack.pop()!
    if (++values > PAYLOAD_LIMITS.maxValues) return `the payload has more than ${PAYLOAD_LIMITS.maxValues} values`
    if (value === null || value === undefined || typeof value === 'boolean') continue
    if (typeof value === 'number') {
      if (!Number.isFinite(value)) return `${where(path)}: numbers must be finite`
      continue
    }
    if (typeof value === 'string') {
      chars += value.length
      if (chars > PAYLOAD_LIMITS.maxChars) return `the payload has more than ${PAYLOAD_LIMITS.maxChars} characters of text`
      continue
    }
    const isArray = Array.isArray(value)
    if (!isArray && !isPlainObject(value)) return `${where(path)}: only JSON values are accepted (got ${typeof value === 'object' ? 'an object of a class' : `a ${typeof value}`})`
    if (depth >= PAYLOAD_LIMITS.maxDepth) return `${where(path)}: nested deeper than ${PAYLOAD_LIMITS.maxDepth} levels`
    if (isArray) {
      // Length first: a 200,000-item array is refused without looking at one of its items.
      if (values + value.length > PAYLOAD_LIMITS.maxValues) return `${where(path)}: the payload has more than ${PAYLOAD_LIMITS.maxValues} values`
      for (let i = value.length - 1; i >= 0; i--) stack.push({ value: value[i], path: path === '' ? String(i) : `${path}.${i}`, depth: depth + 1 })
      continue
    }
    const keys = Object.keys(value)
    if (values + keys.length > PAYLOAD_LIMITS.maxValues) return `${where(path)}: the payload has more than ${PAYLOAD_LIMITS.maxValues} values`
    for (const key of keys) {
      if (forbidden.has(key)) return `${where(path)}: the key "${key}" is not allowed`
      chars += key.length
      if (chars > PAYLOAD_LIMITS.maxChars) return `the payload has more than ${PAYLOAD_LIMITS.maxChars} characters of text`
      const shownKey = key.length > 40 ? `${key.slice(0, 40)}…` : key
      stack.push({ value: (value as Record<string, unknown>)[key], path: path === '' ? shownKey : `${path}.${shownKey}`, depth: depth + 1 })
    }
  }
  return null
}
