import { EventEmitter } from 'node:events'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { PARENT_POLL_MS, SAME_SIGNAL_MS, ShutdownTrigger } from '../../src/main/app/shutdown-signals'

/** A stand-in process: signals are events, the parent pid can change. */
function fakeProcess(ppid = 4242) {
  const proc = Object.assign(new EventEmitter(), { ppid })
  return proc as typeof proc & Pick<NodeJS.Process, 'on' | 'off' | 'ppid'>
}

beforeEach(() => vi.useFakeTimers())
afterEach(() => vi.useRealTimers())

describe('ShutdownTrigger', () => {
  it('fires once on the first of SIGINT, SIGTERM, SIGHUP, naming it', () => {
    const proc = fakeProcess()
    const trigger = new ShutdownTrigger({ proc, onForce: () => {} })
    const heard: string[] = []
    trigger.on((why) => heard.push(why))
    proc.emit('SIGTERM')
    proc.emit('SIGINT')
    expect(heard).toEqual(['SIGTERM'])
    expect(trigger.reason).toBe('SIGTERM')
    trigger.dispose()
  })

  it('fires when the parent goes away (npm killed its shell), within one poll', () => {
    const proc = fakeProcess(4242)
    const trigger = new ShutdownTrigger({ proc })
    vi.advanceTimersByTime(PARENT_POLL_MS * 3)
    expect(trigger.reason).toBeNull()
    proc.ppid = 1
    vi.advanceTimersByTime(PARENT_POLL_MS)
    expect(trigger.reason).toBe('parent process 4242 went away')
    trigger.dispose()
  })

  it('does not watch a parent when asked not to, or when started by init', () => {
    const a = fakeProcess(4242)
    const unwatched = new ShutdownTrigger({ proc: a, watchParent: false })
    const b = fakeProcess(1)
    const underInit = new ShutdownTrigger({ proc: b })
    a.ppid = 7
    b.ppid = 7
    vi.advanceTimersByTime(PARENT_POLL_MS * 4)
    expect([unwatched.reason, underInit.reason]).toEqual([null, null])
    unwatched.dispose()
    underInit.dispose()
  })

  it('treats the same Ctrl-C arriving twice (terminal + parent) as one; a later one forces', () => {
    let now = 0
    const proc = fakeProcess()
    const forced: string[] = []
    const trigger = new ShutdownTrigger({ proc, now: () => now, onForce: (sig) => forced.push(sig) })
    proc.emit('SIGINT')
    now += SAME_SIGNAL_MS - 1
    proc.emit('SIGINT')
    expect(forced).toEqual([])
    now += 1
    proc.emit('SIGHUP') // a closing terminal may send several: never a force
    proc.emit('SIGINT')
    expect(forced).toEqual(['SIGINT'])
    trigger.dispose()
  })

  it('tells a listener added after the trigger fired, and dispose removes every handler', async () => {
    const proc = fakeProcess()
    const trigger = new ShutdownTrigger({ proc })
    expect(proc.listenerCount('SIGTERM')).toBe(1)
    trigger.fire('the window quit')
    const late = await new Promise<string>((done) => trigger.on(done))
    expect(late).toBe('the window quit')
    trigger.dispose()
    expect(['SIGINT', 'SIGTERM', 'SIGHUP'].map((s) => proc.listenerCount(s))).toEqual([0, 0, 0])
  })
})
