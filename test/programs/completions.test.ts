// The editor's completion list stays the runtime's public surface: every export of
// src/main/runtime/index.ts (values at run time, types from the file's `export type` lists) is in
// RUNTIME_EXPORTS with the right kind, and nothing else is.
import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import * as runtime from '../../src/main/runtime/index'
import { RUNTIME_EXPORTS } from '../../src/renderer/src/components/editor/runtime-completions'

const typeNames = (): string[] => {
  const text = readFileSync(new URL('../../src/main/runtime/index.ts', import.meta.url), 'utf8')
  return [...text.matchAll(/export type \{([^}]*)\}/g)].flatMap((m) => m[1]!.split(',').map((s) => s.trim()).filter(Boolean))
}

describe('runtime completions', () => {
  it('lists exactly the runtime’s value exports, each once, with its kind', () => {
    const listed = RUNTIME_EXPORTS.filter((e) => e.kind !== 'type')
    expect(listed.map((e) => e.name).sort()).toEqual(Object.keys(runtime).sort())
    expect(new Set(RUNTIME_EXPORTS.map((e) => e.name)).size).toBe(RUNTIME_EXPORTS.length)
    for (const e of listed) {
      const value = (runtime as Record<string, unknown>)[e.name]
      const isClass = typeof value === 'function' && /^class\b/.test(Function.prototype.toString.call(value))
      expect(e.kind, e.name).toBe(isClass ? 'class' : typeof value === 'function' ? 'function' : 'constant')
      if (e.kind === 'function') expect(e.signature.startsWith(`${e.name}`), e.name).toBe(true)
    }
  })

  it('lists exactly the runtime’s type exports', () => {
    expect(RUNTIME_EXPORTS.filter((e) => e.kind === 'type').map((e) => e.name).sort()).toEqual(typeNames().sort())
  })
})
