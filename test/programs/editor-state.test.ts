// The window's editor state against a fake contract: a program that does not compile is never sent
// to program:run, an older check's answer never overwrites a newer one, and a stored program reopens
// with its clock. Plus the mapping of a diagnostic's line/col onto CodeMirror offsets.
import { Text } from '@codemirror/state'
import { describe, expect, it } from 'vitest'
import type { LoopwatchApi } from '../../src/shared/contract'
import type { ProgramDiagnostic } from '../../src/shared/program-contract'
import { EditorState, keyOfClock } from '../../src/renderer/src/state/editor.svelte'
import { toCodeMirror } from '../../src/renderer/src/components/editor/diagnostics'

const ERROR: ProgramDiagnostic = { line: 1, col: 10, endLine: 1, endCol: 11, message: 'Unexpected "="', severity: 'error' }

/** A contract whose answers the test controls; records every call. */
function fakeApi(answer: (channel: string, payload: unknown) => Promise<unknown>) {
  const calls: { channel: string; payload: unknown }[] = []
  const api = {
    invoke: async (channel: string, payload: unknown) => {
      calls.push({ channel, payload })
      return { ok: true, value: await answer(channel, payload) }
    },
    on: () => () => {},
  } as unknown as LoopwatchApi
  return { api, calls }
}

describe('editor state', () => {
  it('checks before running and sends nothing to program:run while the text does not compile', async () => {
    const { api, calls } = fakeApi(async (channel) => (channel === 'program:check' ? [ERROR] : null))
    const editor = new EditorState(() => api, () => {})
    editor.edited('const x: = 1')
    expect(await editor.run()).toBe(false)
    expect(calls.map((c) => c.channel)).toEqual(['program:check'])
    expect(editor.errors).toEqual([ERROR])
  })

  it('an older check answering late does not replace the diagnostics of the newer text', async () => {
    const pending: ((v: ProgramDiagnostic[]) => void)[] = []
    const { api } = fakeApi((channel) => (channel === 'program:check' ? new Promise((r) => pending.push(r as never)) : Promise.resolve(null)))
    const editor = new EditorState(() => api, () => {})
    editor.text = 'const x: = 1'
    const first = editor.check()
    editor.text = 'const x = 1'
    const second = editor.check()
    pending[1]!([])
    await second
    pending[0]!([ERROR])
    await first
    expect(editor.diagnostics).toEqual([])
  })

  it('reopens a stored program with its clock, and runs it showing its source', async () => {
    const shown: string[] = []
    const { api, calls } = fakeApi(async (channel) => {
      if (channel === 'program:ofRun') return { runId: 7, name: 'mine', clock: { speed: 10 }, source: 'await run(main)' }
      if (channel === 'program:check') return []
      if (channel === 'program:run') return { runKey: 1, name: 'mine', sourceId: 'agent-3', state: 'running' }
      return null
    })
    const editor = new EditorState(() => api, (id) => shown.push(id))
    expect(await editor.openRun(7)).toBe(true)
    expect([editor.text, editor.name, editor.clock, editor.origin]).toEqual(['await run(main)', 'mine', '10', 'history run #7'])
    expect(await editor.run()).toBe(true)
    expect(calls.find((c) => c.channel === 'program:run')!.payload).toEqual({ source: 'await run(main)', clock: { speed: 10 }, name: 'mine' })
    expect(shown).toEqual(['agent-3'])
    expect(keyOfClock('virtual')).toBe('virtual')
    expect(keyOfClock({ speed: 3 })).toBe('1') // not a choice the control offers: real time
  })
})

describe('diagnostics in CodeMirror', () => {
  it('puts line/col at the right offsets, clamped to the text as it is now', () => {
    const doc = Text.of(["import { run } from 'loopwatch'", '', 'const x: = 1'])
    const d = toCodeMirror(doc, { ...ERROR, line: 3, endLine: 3 })
    expect(doc.sliceString(d.from, d.to)).toBe('=')
    // The text got shorter since the check: still a valid range, on the last line.
    const clamped = toCodeMirror(doc, { line: 9, col: 99, message: 'gone', severity: 'error' })
    expect(clamped.from).toBeLessThanOrEqual(doc.length)
    expect(clamped.to).toBeLessThanOrEqual(doc.length)
  })
})
