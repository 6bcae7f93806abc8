import { describe, expect, it } from 'vitest'
import { TASK_STATES } from '../../src/shared/snapshots'
import { compileFilter, globToRegExp, parseFilter } from '../../src/renderer/src/state/filter'

const matches = (text: string, name: string, state: string) => compileFilter(parseFilter(text, TASK_STATES))({ name, state })

describe('task filter', () => {
  it('parses `state:waiting name:worker*` into a state term and a name glob', () => {
    const f = parseFilter('state:waiting name:worker*', TASK_STATES)
    expect(f.problems).toEqual([])
    expect(f.terms).toEqual([
      { kind: 'state', negate: false, values: ['waiting'] },
      { kind: 'name', negate: false, values: ['worker*'] },
    ])
  })

  it('keeps only tasks matching both the state and the name glob', () => {
    expect(matches('state:waiting name:worker*', 'worker-2', 'waiting')).toBe(true)
    expect(matches('state:waiting name:worker*', 'worker-2', 'running')).toBe(false)
    expect(matches('state:waiting name:worker*', 'main', 'waiting')).toBe(false)
  })

  it('widens with several states, by comma or by repeated terms', () => {
    for (const text of ['state:waiting,running', 'state:waiting state:running']) {
      expect(matches(text, 'a', 'running')).toBe(true)
      expect(matches(text, 'a', 'waiting')).toBe(true)
      expect(matches(text, 'a', 'done')).toBe(false)
    }
  })

  it('negates a term with a leading minus', () => {
    expect(matches('-state:done', 'a', 'done')).toBe(false)
    expect(matches('-state:done', 'a', 'failed')).toBe(true)
    expect(matches('-name:main', 'main', 'running')).toBe(false)
  })

  it('matches a bare word anywhere in the name, ignoring case', () => {
    expect(matches('Work', 'heartbeat-worker-3', 'running')).toBe(true)
    expect(matches('work', 'main', 'running')).toBe(false)
  })

  it('reports an unknown state and ignores that term instead of hiding every task', () => {
    const f = parseFilter('state:sleeping name:main', TASK_STATES)
    expect(f.problems).toHaveLength(1)
    expect(f.problems[0]).toContain('"sleeping"')
    expect(f.terms.map((t) => t.kind)).toEqual(['name'])
  })

  it('treats an empty filter as matching everything', () => {
    expect(matches('   ', 'x', 'done')).toBe(true)
  })

  it('reads glob characters literally except * and ?', () => {
    expect(globToRegExp('a.b?').test('a.bc')).toBe(true)
    expect(globToRegExp('a.b?').test('axbc')).toBe(false)
    expect(globToRegExp('req(1)*').test('req(1)-x')).toBe(true)
  })
})
