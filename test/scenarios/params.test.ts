import { describe, expect, it } from 'vitest'
import { ParamsError, createScenarioRun, getScenario, parseParams } from '../../src/main/scenarios/index'

const scenario = (id: string) => getScenario(id)!

describe('scenario params', () => {
  it('fill every omitted key with its default', () => {
    expect(parseParams(scenario('stats-daemon'), {})).toEqual({ ok: true, value: { interval: 60_000, iterations: 3, asWritten: false } })
    expect(parseParams(scenario('stats-daemon'), { iterations: 5 })).toEqual({ ok: true, value: { interval: 60_000, iterations: 5, asWritten: false } })
    expect(parseParams(scenario('users-csv'), undefined)).toEqual({ ok: true, value: { path: null, seed: 0 } })
  })

  it('reject an unknown key, naming it and the known ones', () => {
    const result = parseParams(scenario('graceful-cancel'), { cancelAfter: 1000, cancelafter: 2 })
    expect(result).toEqual({ ok: false, issues: [{ path: 'cancelafter', message: 'unknown parameter; known: cancelAfter' }] })
  })

  it('reject a wrong type, naming the field and what it must be', () => {
    const result = parseParams(scenario('graceful-cancel'), { cancelAfter: '5s' })
    expect(result).toEqual({ ok: false, issues: [{ path: 'cancelAfter', message: 'must be a number of milliseconds, got "5s"' }] })
  })

  it('name the list index of a bad duration', () => {
    const result = parseParams(scenario('gather-random-sleep'), { delays: [1000, -5, 2000] })
    expect(result).toEqual({ ok: false, issues: [{ path: 'delays.1', message: 'must be at least 0 ms' }] })
  })

  it('reject a fractional number of rounds and accept null as endless', () => {
    expect(parseParams(scenario('workers-heartbeat'), { iterations: 1.5 })).toEqual({
      ok: false,
      issues: [{ path: 'iterations', message: 'must be a whole number of rounds' }],
    })
    expect(parseParams(scenario('workers-heartbeat'), { iterations: null })).toEqual({ ok: true, value: { iterations: null } })
  })

  it('require one delay per person in the async iterator', () => {
    const result = parseParams(scenario('async-iterator'), { people: ['A', 'B', 'C'], delays: [1000, 2000] })
    expect(result).toEqual({ ok: false, issues: [{ path: 'delays', message: 'must hold one delay per person' }] })
  })

  it("keep the CSV path inside the run's output folder", () => {
    for (const path of ['/etc/passwd', '../escape.csv', 'a/../../b.csv']) {
      const result = parseParams(scenario('users-csv'), { path })
      expect(result.ok).toBe(false)
      if (!result.ok) expect(result.issues[0]).toMatchObject({ path: 'path', message: expect.stringMatching(/inside the run's output folder/) })
    }
    expect(parseParams(scenario('users-csv'), { path: 'sub/users.csv' }).ok).toBe(true)
  })

  it('accept only the two HTTP modes', () => {
    expect(parseParams(scenario('http-context-manager'), { mode: 'live' })).toEqual({
      ok: false,
      issues: [{ path: 'mode', message: 'must be "mock" or "loopback", got "live"' }],
    })
  })

  it('reject a params value that is not an object', () => {
    const result = parseParams(scenario('awaitables'), [1, 2])
    expect(result.ok).toBe(false)
    if (!result.ok) expect(result.issues[0]!.message).toMatch(/must be a JSON object/)
  })

  it('make createScenarioRun throw a ParamsError before any loop exists', () => {
    expect(() => createScenarioRun(scenario('graceful-cancel'), { cancelAfter: -1 }, { clock: 'virtual', outDir: '/nonexistent' })).toThrow(ParamsError)
    expect(() => createScenarioRun(scenario('graceful-cancel'), { cancelAfter: -1 }, { clock: 'virtual', outDir: '/nonexistent' })).toThrow(
      'invalid params for graceful-cancel: cancelAfter: must be at least 0 ms',
    )
  })
})
