import { describe, expect, it } from 'vitest'
import * as runtime from '../../src/main/runtime/index'

// Every value export RUNTIME-API.md names, so outside checks importing index.ts find them all.
const VALUES = [
  'RealClock', 'ScaledClock', 'VirtualClock', 'EventLoop', 'run',
  'getRunningLoop', 'currentTask', 'allTasks', 'createTask', 'sleep', 'gather', 'wait', 'waitFor',
  'timeout', 'timeoutAt', 'shield', 'asCompleted', 'taskGroup',
  'FIRST_COMPLETED', 'FIRST_EXCEPTION', 'ALL_COMPLETED',
  'Future', 'Task', 'Queue', 'Event', 'Lock', 'Semaphore', 'TaskGroup',
  'CancelledError', 'TimeoutError', 'InvalidStateError', 'RuntimeError', 'TaskGroupError', 'QueueEmpty', 'QueueFull',
  // v2 additions
  'Condition', 'BoundedSemaphore', 'Barrier', 'PriorityQueue', 'LifoQueue', 'ValueError', 'BrokenBarrierError',
  'TASK_STATES', 'FINAL_STATES', 'CANCEL_SOURCES',
] as const

const LOOP_METHODS = ['time', 'createTask', 'runUntilComplete', 'runForever', 'stop', 'callSoon', 'callLater', 'createFuture', 'allTasks', 'addInstrument', 'shutdown', 'close']
const TASK_MEMBERS = ['cancel', 'cancelling', 'uncancel', 'awaiting', 'cancelRequest', 'done', 'cancelled', 'result', 'exception', 'setResult', 'setException', 'addDoneCallback', 'removeDoneCallback', 'then']

describe('the public surface of RUNTIME-API.md', () => {
  it('exports every named value from index.ts', () => {
    const missing = VALUES.filter((name) => !(name in runtime))
    expect(missing).toEqual([])
  })

  it('gives EventLoop and Task every method the contract lists', () => {
    const loopMissing = LOOP_METHODS.filter((m) => typeof (runtime.EventLoop.prototype as unknown as Record<string, unknown>)[m] !== 'function')
    const taskMissing = TASK_MEMBERS.filter((m) => typeof (runtime.Task.prototype as unknown as Record<string, unknown>)[m] !== 'function')
    expect({ loopMissing, taskMissing }).toEqual({ loopMissing: [], taskMissing: [] })
  })

  it('names each error class after itself and makes it an Error', () => {
    const errors = [
      runtime.CancelledError, runtime.TimeoutError, runtime.InvalidStateError, runtime.RuntimeError, runtime.QueueEmpty, runtime.QueueFull,
      runtime.ValueError, runtime.BrokenBarrierError,
    ]
    for (const E of errors) {
      const e = new E('x')
      expect(e).toBeInstanceOf(Error)
      expect(e.name).toBe(E.name)
    }
    const g = new runtime.TaskGroupError([new Error('a')])
    expect(g).toBeInstanceOf(AggregateError)
    expect(g.name).toBe('TaskGroupError')
  })

  it('gives the v2 primitives the members the contract lists', () => {
    const members = (C: { prototype: object }, names: string[]): string[] =>
      names.filter((m) => !(m in C.prototype))
    expect({
      condition: members(runtime.Condition, ['acquire', 'release', 'locked', 'wait', 'waitFor', 'notify', 'notifyAll']),
      barrier: members(runtime.Barrier, ['wait', 'reset', 'abort', 'nWaiting', 'broken']),
      bounded: members(runtime.BoundedSemaphore, ['acquire', 'release', 'locked']),
      priority: members(runtime.PriorityQueue, ['put', 'get', 'putNowait', 'getNowait', 'taskDone', 'join', 'qsize', 'empty', 'full']),
      lifo: members(runtime.LifoQueue, ['put', 'get', 'putNowait', 'getNowait', 'taskDone', 'join', 'qsize', 'empty', 'full']),
    }).toEqual({ condition: [], barrier: [], bounded: [], priority: [], lifo: [] })
    expect(new runtime.Barrier(3).parties).toBe(3)
    expect(new runtime.BoundedSemaphore(2)).toBeInstanceOf(runtime.Semaphore)
    expect(new runtime.PriorityQueue()).toBeInstanceOf(runtime.Queue)
    expect(runtime.CANCEL_SOURCES).toEqual(['user', 'program', 'deadline', 'timeout', 'shutdown', 'sibling', 'parent'])
  })

  it('a runtime TimeoutError is told apart from the DOM TimeoutError by instanceof, not by name', () => {
    const dom = new DOMException('signal timed out', 'TimeoutError') // what AbortSignal.timeout() aborts with
    expect(dom.name).toBe(new runtime.TimeoutError('x').name)
    expect(dom).not.toBeInstanceOf(runtime.TimeoutError)
  })

  it('the ReturnWhen constants are their own names', () => {
    expect([runtime.FIRST_COMPLETED, runtime.FIRST_EXCEPTION, runtime.ALL_COMPLETED]).toEqual(['FIRST_COMPLETED', 'FIRST_EXCEPTION', 'ALL_COMPLETED'])
  })
})
