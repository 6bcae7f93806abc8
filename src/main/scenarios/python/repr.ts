/**
 * Python's `str(float)`: the shortest round-trip digits, always with a decimal point or an
 * exponent — so virtual seconds print as the course's `time.time()` does.
 *
 * @example pyFloat(60) // '60.0'   pyFloat(1e-5) // '1e-05'   pyFloat(1e16) // '1e+16'
 */
export function pyFloat(x: number): string {
  if (Number.isNaN(x)) return 'nan'
  if (!Number.isFinite(x)) return x > 0 ? 'inf' : '-inf'
  if (x === 0) return Object.is(x, -0) ? '-0.0' : '0.0'
  const exponent = Math.floor(Math.log10(Math.abs(x)))
  // Python switches to scientific notation outside 1e-4 ≤ |x| < 1e16; JS at 1e-7 and 1e21.
  if (exponent < -4 || exponent >= 16) {
    const [mantissa = '', exp = '0'] = x.toExponential().split('e')
    const sign = exp.startsWith('-') ? '-' : '+'
    const digits = exp.replace(/^[+-]/, '').padStart(2, '0')
    return `${mantissa}e${sign}${digits}`
  }
  const text = String(x)
  return text.includes('.') ? text : `${text}.0`
}

/** Python's `str(n)` for a number that Python would hold as an int when whole, else a float. */
export function pyNumber(x: number): string {
  return Number.isInteger(x) && Math.abs(x) < 1e16 ? String(x) : pyFloat(x)
}

/** Python's repr of a str: single quotes unless the text holds a single quote and no double one. */
export function pyStrRepr(s: string): string {
  const quote = s.includes("'") && !s.includes('"') ? '"' : "'"
  let out = quote
  for (const ch of s) {
    const code = ch.codePointAt(0) ?? 0
    if (ch === '\\') out += '\\\\'
    else if (ch === quote) out += `\\${quote}`
    else if (ch === '\n') out += '\\n'
    else if (ch === '\r') out += '\\r'
    else if (ch === '\t') out += '\\t'
    else if (code < 0x20 || code === 0x7f) out += `\\x${code.toString(16).padStart(2, '0')}`
    else out += ch
  }
  return out + quote
}

/**
 * Python's repr of decoded JSON (what `print(json)` shows for aiohttp's `response.json()`):
 * dicts with `': '` and `', '`, lists, strs, ints/floats, True/False/None.
 *
 * @example pyRepr({ crowd: ['Andrey', 'Alex'] }) // "{'crowd': ['Andrey', 'Alex']}"
 */
export function pyRepr(value: unknown): string {
  if (value === null || value === undefined) return 'None'
  if (value === true) return 'True'
  if (value === false) return 'False'
  if (typeof value === 'number') return pyNumber(value)
  if (typeof value === 'string') return pyStrRepr(value)
  if (Array.isArray(value)) return `[${value.map(pyRepr).join(', ')}]`
  if (typeof value === 'object') {
    const items = Object.entries(value).map(([k, v]) => `${pyStrRepr(k)}: ${pyRepr(v)}`)
    return `{${items.join(', ')}}`
  }
  return String(value)
}
