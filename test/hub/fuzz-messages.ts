// Hostile lines for the hub fuzz test, from a seeded PRNG: the same seed gives the same lines.
import { AGENT_PROTOCOL_VERSION } from '../../src/shared/agent-protocol/index'
import { snapshot } from './hub-helper'

export const FUZZ_KINDS = ['mutated', 'wrong-type', 'huge-number', 'deep', 'proto-key', 'random-bytes', 'split', 'huge-string'] as const
export type FuzzKind = (typeof FUZZ_KINDS)[number]

export interface FuzzLine {
  kind: FuzzKind
  /** The bytes to send, without the final `\n` (never containing one). */
  bytes: Buffer
  /** Split writes: the line goes out in these pieces (for `split`). */
  pieces?: Buffer[]
  /** True when no reading of the protocol accepts it: the hub must answer with an error. */
  certainlyBad: boolean
}

type Json = null | boolean | number | string | Json[] | { [k: string]: Json }

export class FuzzGenerator {
  constructor(readonly rand: () => number) {}

  int(n: number): number {
    return Math.floor(this.rand() * n)
  }
  pick<T>(xs: readonly T[]): T {
    return xs[this.int(xs.length)] as T
  }

  /** A valid message of some type (as a fuzzing agent could send after its hello). */
  valid(token: string): { [k: string]: Json } {
    const id = 1 + this.int(50)
    switch (this.int(8)) {
      case 0:
        return { type: 'log', stream: 'stdout', line: this.text(40), wall: 1, taskId: null }
      case 1:
        return { type: 'loop:added', loop: 'main', clock: { kind: 'real' } }
      case 2:
        return { type: 'tasks:delta', delta: { seq: id, created: [snapshot(id) as unknown as Json], changed: [], ended: [], removed: [], logs: [], clocks: [] } }
      case 3:
        return { type: 'tasks:delta', delta: { seq: id, created: [], changed: [snapshot(id, { state: 'waiting' }) as unknown as Json], ended: [], removed: [], logs: [], clocks: [] } }
      case 4:
        return { type: 'dropped', count: id }
      case 5:
        return { type: 'result', id, ok: true, value: null }
      case 6:
        return { type: 'hello', protocol: AGENT_PROTOCOL_VERSION, token, name: 'x', pid: 1, runtime: { kind: 'node', version: '1' }, clock: { kind: 'real' } }
      default:
        return { type: 'loop:removed', loop: 'main' }
    }
  }

  text(max: number): string {
    const n = this.int(max)
    let s = ''
    for (let i = 0; i < n; i++) s += String.fromCharCode(this.rand() < 0.9 ? 32 + this.int(95) : 0x80 + this.int(0xd000))
    return s
  }

  hostileValue(): Json {
    return this.pick<() => Json>([
      () => null,
      () => true,
      () => -1,
      () => 1e308,
      () => -1e308,
      () => 2 ** 53 + 2,
      () => 0.5,
      () => '',
      () => 'x'.repeat(this.int(20_000)),
      () => [],
      () => ({}),
      () => this.text(30),
      () => [1, 'two', null],
      () => withKey({}, '__proto__', { polluted: true }),
    ])()
  }

  /** Applies 1–3 random edits (delete, retype, add a key) at random places in a valid message. */
  mutate(m: { [k: string]: Json }): { [k: string]: Json } {
    const copy = JSON.parse(JSON.stringify(m)) as { [k: string]: Json }
    const edits = 1 + this.int(3)
    for (let e = 0; e < edits; e++) {
      const spots = containers(copy)
      if (spots.length === 0) spots.push([copy, 'type'])
      const [holder, key] = this.pick(spots)
      const op = this.int(4)
      if (op === 0 && !Array.isArray(holder)) delete (holder as Record<string, Json>)[key]
      else if (op === 1) withKey(holder, key, this.hostileValue())
      else if (op === 2 && !Array.isArray(holder)) withKey(holder, this.pick(['__proto__', 'constructor', 'prototype', 'toString', '', 'extra', this.text(10)]), this.hostileValue())
      else withKey(copy, 'type', this.pick(['log', 'tasks:delta', 'result', 'bye', 'hello', 'welcome', 'cancel', '', 'LOG', this.text(12)]))
    }
    return copy
  }

  /** One hostile line. */
  line(token: string): FuzzLine {
    const kind = this.pickKind()
    const str = (s: string, certainlyBad: boolean): FuzzLine => ({ kind, bytes: Buffer.from(s.replace(/\n/g, ' ')), certainlyBad })
    switch (kind) {
      case 'mutated':
        return str(JSON.stringify(this.mutate(this.valid(token))), false)
      case 'wrong-type':
        return str(JSON.stringify({ type: this.pick([1, null, true, [], {}, 'tasks:delta']), delta: this.pick([1, 'x', [], null]), id: 'one' }), true)
      case 'huge-number':
        return str(
          this.pick([
            `{"type":"dropped","count":1e308}`,
            `{"type":"dropped","count":9007199254740993}`,
            `{"type":"ping","id":-1}`,
            `{"type":"result","id":1e400,"ok":true,"value":null}`,
            `{"type":"dropped","count":0.000001}`,
            `{"type":"bye","code":99999999999999999999,"reason":""}`,
          ]),
          true,
        )
      case 'deep': {
        const depth = 100 + this.int(20_000)
        const deep = this.rand() < 0.5 ? '['.repeat(depth) + ']'.repeat(depth) : '{"a":'.repeat(depth) + '1' + '}'.repeat(depth)
        return str(this.pick([`{"type":"log","stream":"stdout","line":${deep},"wall":1,"taskId":null}`, `{"type":"result","id":424242,"ok":true,"value":${deep}}`]), true)
      }
      case 'proto-key':
        return str(
          this.pick([
            `{"type":"ping","id":1,"__proto__":{"polluted":true}}`,
            `{"__proto__":{"type":"ping","id":1}}`,
            `{"type":"loop:added","loop":"main","clock":{"kind":"real","__proto__":{"kind":"virtual"}}}`,
            `{"type":"tasks:delta","delta":{"__proto__":[]}}`,
            `{"type":"constructor"}`,
            `{"type":"__proto__"}`,
            `{"type":"toString"}`,
          ]),
          true,
        )
      case 'random-bytes': {
        const n = 1 + this.int(2_000)
        const b = Buffer.alloc(n)
        for (let i = 0; i < n; i++) {
          let byte = this.int(256)
          if (byte === 10) byte = 11
          b[i] = byte
        }
        b[0] = 1 + this.int(8) // a control byte first: never JSON, never blank
        return { kind, bytes: b, certainlyBad: true }
      }
      case 'split': {
        const line = str(JSON.stringify(this.mutate(this.valid(token))), false)
        const cuts = [0, ...Array.from({ length: 1 + this.int(4) }, () => this.int(line.bytes.length)).sort((a, b) => a - b), line.bytes.length]
        line.pieces = cuts.slice(1).map((end, i) => line.bytes.subarray(cuts[i], end))
        return line
      }
      case 'huge-string':
        return str(JSON.stringify({ type: 'log', stream: 'stdout', line: 'y'.repeat(10_001 + this.int(40_000)), wall: 1, taskId: null }), true)
    }
  }

  private pickKind(): FuzzKind {
    // Mutations are the bulk; the rest are each a steady share.
    return this.rand() < 0.4 ? 'mutated' : this.pick(FUZZ_KINDS)
  }
}

/** Sets a key as an own enumerable property (so `__proto__` becomes a key, not the prototype). */
function withKey(holder: Json, key: string | number, value: Json): Json {
  Object.defineProperty(holder as object, key, { value, enumerable: true, writable: true, configurable: true })
  return holder
}

/** Every [container, key] pair in a JSON value, the root's keys included. */
function containers(root: Json): [Json, string | number][] {
  const out: [Json, string | number][] = []
  const walk = (x: Json) => {
    if (Array.isArray(x)) x.forEach((v, i) => (out.push([x, i]), walk(v)))
    else if (x && typeof x === 'object') for (const k of Object.keys(x)) out.push([x, k]), walk((x as Record<string, Json>)[k] as Json)
  }
  walk(root)
  return out
}
