/**
 * timeout() / timeoutAt() scopes (asyncio.timeout). When the deadline passes the scope cancels its
 * task (source `timeout`); on the way out, only the scope that cancelled — no newer request
 * pending — turns the CancelledError into TimeoutError. `reschedule` works while the body runs.
 */
import { currentTask, getRunningLoop } from './current'
import { CancelledError, RuntimeError, TimeoutError } from './errors'
import type { EventLoop } from './loop'
import type { Task } from './task'
import type { Handle } from './types'
import { describeValue, validateDelay } from './validate'

type ScopeState = 'entered' | 'expiring' | 'expired' | 'exited'

export class TimeoutScope {
  private state: ScopeState = 'entered'
  private handle: Handle | null = null
  private readonly cancellingAtEnter: number

  /** @internal */
  constructor(
    private readonly loop: EventLoop,
    private readonly task: Task<unknown>,
    private deadline: number | null,
  ) {
    this.cancellingAtEnter = task.cancelling()
    this.reschedule(deadline)
  }

  /** The deadline as loop time (ms), or null for none. */
  when(): number | null {
    return this.deadline
  }

  /** Moves the deadline (loop time in ms; null removes it). A deadline already past fires at once. */
  reschedule(when: number | null): void {
    if (when !== null && (typeof when !== 'number' || Number.isNaN(when))) {
      throw new TypeError(`reschedule() takes a loop time in ms or null, got ${describeValue(when)}`)
    }
    if (this.state !== 'entered') throw new RuntimeError(`cannot reschedule a timeout that is ${this.state}`)
    this.deadline = when
    this.handle?.cancel()
    this.handle = null
    if (when === null) return
    this.handle = when <= this.loop.time() ? this.loop.callSoon(this.onTimeout) : this.loop._callAtFor(when, this.onTimeout, 'timeout', this.task)
  }

  /** True once the deadline has passed and the scope cancelled its task. */
  expired(): boolean {
    return this.state === 'expiring' || this.state === 'expired'
  }

  private readonly onTimeout = (): void => {
    this.handle = null
    if (this.state !== 'entered') return
    this.task._requestCancel('timeout', `timeout at ${((this.deadline ?? 0) / 1000).toFixed(3)}s`)
    this.state = 'expiring'
  }

  /** @internal asyncio's Timeout.__aexit__: returns the error to throw instead, if any. */
  _exit(error: { value: unknown } | null): unknown {
    this.handle?.cancel()
    this.handle = null
    if (this.state === 'expiring') {
      this.state = 'expired'
      if (this.task.uncancel() <= this.cancellingAtEnter && error !== null && error.value instanceof CancelledError) {
        return new TimeoutError('the timeout expired', { cause: error.value })
      }
    } else if (this.state === 'entered') {
      this.state = 'exited'
    }
    return error === null ? undefined : error.value
  }
}

/**
 * Runs `body` with a deadline `ms` from now (null: none, adjustable later through the scope).
 * @example await timeout(1000, async (scope) => { await work(); scope.reschedule(scope.when()! + 500) })
 */
export function timeout<T>(ms: number | null, body: (scope: TimeoutScope) => PromiseLike<T>): Promise<T> {
  if (ms !== null) validateDelay(ms, 'timeout')
  const loop = getRunningLoop()
  return timeoutAt(ms === null ? null : loop.time() + ms, body)
}

/** Runs `body` with a deadline at loop time `when` (ms; null: none). */
export async function timeoutAt<T>(when: number | null, body: (scope: TimeoutScope) => PromiseLike<T>): Promise<T> {
  if (when !== null && (typeof when !== 'number' || Number.isNaN(when))) {
    throw new TypeError(`timeoutAt() takes a loop time in ms or null, got ${describeValue(when)}`)
  }
  if (typeof body !== 'function') throw new TypeError(`timeout() takes a body function, got ${describeValue(body)}`)
  const loop = getRunningLoop()
  const task = currentTask()
  if (task === null) throw new RuntimeError('timeout() must be used inside a task')
  const scope = new TimeoutScope(loop, task, when)
  let result: T
  try {
    result = await body(scope)
  } catch (e) {
    throw scope._exit({ value: e })
  }
  scope._exit(null)
  return result
}
