import { setImmediate as nextTurn } from 'node:timers/promises'

/**
 * JSON.stringify for large answers, a slice of a long array at a time with a turn of Node's event
 * loop between slices: a 10,000-task snapshot (~5 MB, ~50 ms in one go) never holds the other
 * sockets for more than a slice. `keepGoing` is asked between slices; when it says no, the work
 * stops and the result is null (nobody is left to send it to).
 *
 * The text is what JSON.stringify gives for plain data (objects, arrays, primitives); anything
 * with a toJSON is handed to JSON.stringify whole.
 */
export async function stringifyInSlices(value: unknown, keepGoing: () => boolean, sliceSize = 2_000): Promise<string | null> {
  const out: string[] = []
  return (await write(value, out, keepGoing, sliceSize)) ? out.join('') : null
}

async function write(value: unknown, out: string[], keepGoing: () => boolean, sliceSize: number): Promise<boolean> {
  if (Array.isArray(value) && value.length > sliceSize) {
    out.push('[')
    for (let i = 0; i < value.length; i += sliceSize) {
      if (i > 0) {
        await nextTurn()
        if (!keepGoing()) return false
        out.push(',')
      }
      // JSON.stringify of the slice, without its brackets: the same text as the whole would give.
      out.push(JSON.stringify(value.slice(i, i + sliceSize)).slice(1, -1))
    }
    out.push(']')
    return true
  }
  if (isPlainData(value)) {
    out.push('{')
    let first = true
    for (const [key, v] of Object.entries(value)) {
      if (v === undefined || typeof v === 'function' || typeof v === 'symbol') continue
      out.push(first ? '' : ',', JSON.stringify(key), ':')
      first = false
      if (!(await write(v, out, keepGoing, sliceSize))) return false
    }
    out.push('}')
    return true
  }
  out.push(JSON.stringify(value) ?? 'null')
  return true
}

function isPlainData(x: unknown): x is Record<string, unknown> {
  if (typeof x !== 'object' || x === null || Array.isArray(x)) return false
  const proto = Object.getPrototypeOf(x) as unknown
  return (proto === Object.prototype || proto === null) && typeof (x as { toJSON?: unknown }).toJSON !== 'function'
}
