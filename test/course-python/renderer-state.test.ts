// The window's side of the course's Python: what each button says (and whether it is enabled),
// which lines belong to a source's scope, and the side-by-side rows.
import { describe, expect, it } from 'vitest'
import type { LoopwatchApi } from '../../src/shared/contract'
import type { CoursePythonStatus } from '../../src/shared/course-python-contract'
import { CHECKING, CoursePythonState } from '../../src/renderer/src/state/course-python.svelte'
import { buildComparison, compareTasks } from '../../src/renderer/src/state/comparison'
import { inScope } from '../../src/renderer/src/state/sources.svelte'
import { task } from '../renderer/helpers'

const status: CoursePythonStatus = {
  python: { path: '/usr/bin/python3', from: '/usr/bin/python3', version: '3.11.2', problem: null },
  programs: [
    { id: 'graceful-cancel', missing: [], reason: null, virtualStopAtMs: null },
    { id: 'users-csv', missing: ['faker'], reason: '/usr/bin/python3 cannot import faker (apt: python3-fake-factory)', virtualStopAtMs: null },
  ],
}

describe('CoursePythonState', () => {
  it('says checking until the status came, then null for a runnable program and the reason for the others', () => {
    const s = new CoursePythonState(() => null)
    expect(s.reasonFor('graceful-cancel')).toBe(CHECKING)
    s.status = status
    expect(s.reasonFor('graceful-cancel')).toBe(null)
    expect(s.reasonFor('users-csv')).toBe('/usr/bin/python3 cannot import faker (apt: python3-fake-factory)')
    expect(s.reasonFor('nope')).toBe('nope has no Python text in the course')
  })

  it('a refused run keeps its message and adds no run', async () => {
    const api = { invoke: async () => ({ ok: false, error: { code: 'busy', message: '8 course Python programs are running already: stop one first' } }), on: () => () => {} } as unknown as LoopwatchApi
    const s = new CoursePythonState(() => api)
    expect(await s.run('graceful-cancel', 'virtual')).toBe(null)
    expect(s.error).toBe('8 course Python programs are running already: stop one first')
    expect(s.runs).toEqual([])
    expect(s.busy).toBe(false)
  })
})

describe('a source scope', () => {
  it('holds the lines a process printed outside every loop (a traceback after asyncio.run)', () => {
    expect(inScope('source:agent-2', 'agent-2')).toBe(true)
    expect(inScope('source:agent-2', 'agent-2/loop-1')).toBe(true)
    expect(inScope('source:agent-2', 'agent-21')).toBe(false)
    expect(inScope('source:agent-2', 'run-2')).toBe(false)
  })
})

describe('side by side', () => {
  it('pairs tasks by name in creation order; a row is the same only with the same state and cancel source', () => {
    const by = { id: 1, name: 'main' }
    const at = { loop: 5000, wall: 0 }
    const port = [
      task({ id: 1, name: 'main', state: 'done' }),
      task({ id: 2, name: 'worker', state: 'cancelled', cancel: { source: 'user', reason: 'x', at } }),
      task({ id: 3, name: 'worker', state: 'done', at: 1 }),
      task({ id: 4, name: 'only-port', state: 'done', at: 2 }),
    ]
    const python = [
      task({ id: 13, name: 'worker', state: 'done', loop: 'agent-1/loop-1', at: 1 }),
      task({ id: 12, name: 'worker', state: 'cancelled', loop: 'agent-1/loop-1', cancel: { source: 'program', reason: null, at, by } }),
      task({ id: 11, name: 'main', state: 'done', loop: 'agent-1/loop-1' }),
      task({ id: 14, name: 'Task-5', state: 'done', loop: 'agent-1/loop-1', at: 3 }),
    ]
    const rows = compareTasks(port, python)
    expect(rows.map((r) => [r.name, r.port?.id ?? null, r.python?.id ?? null, r.same, r.renamed])).toEqual([
      ['main', 1, 11, true, false],
      ['worker', 2, 12, false, false],
      ['worker', 3, 13, true, false],
      // Left over on both sides: paired in creation order, under their two names.
      ['only-port', 4, 14, true, true],
    ])
    expect(compareTasks(port.slice(0, 3), python).at(-1)).toMatchObject({ name: 'Task-5', port: null, python: { id: 14 }, same: false })
    expect(rows[1]!.python?.cancel).toBe('program by main')
  })

  it('takes the port’s tasks and lines from its run loop and the Python run’s from its source, lines outside loops too', () => {
    const tasks = [task({ id: 1, loop: 'run-3', name: 'main' }), task({ id: 2, loop: 'agent-1/loop-1', name: 'main' }), task({ id: 3, loop: 'run-4', name: 'other' })]
    const line = (seq: number, loop: string, text: string) => ({ seq, loop, runId: null, taskId: null, taskName: null, t: 0, wall: 0, stream: 'stdout' as const, line: text })
    const logs = [line(1, 'run-3', 'port says'), line(2, 'agent-1/loop-1', 'python says'), line(3, 'agent-1', 'Traceback'), line(4, 'agent-12/x', 'not ours')]
    const c = buildComparison(tasks, logs, 'run-3', 'agent-1')
    expect(c.rows.map((r) => [r.port?.id, r.python?.id])).toEqual([[1, 2]])
    expect(c.portLines.map((l) => l.line)).toEqual(['port says'])
    expect(c.pythonLines.map((l) => l.line)).toEqual(['python says', 'Traceback'])
  })
})
