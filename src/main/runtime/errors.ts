/**
 * The runtime's errors. Each has its own `name`; test them with `instanceof` (a DOM
 * `TimeoutError` from `AbortSignal.timeout()` shares the name but not the class).
 */
import type { CancelHop, CancelOrigin, CancelSource } from './types'

/**
 * Base for every runtime error, so `name` follows the subclass. The name lives on each class's
 * prototype (as TypeError's does), put there by the first construction of that class (a user's
 * subclass too): an error object carries no own `name`, and making one adds no property.
 */
abstract class RuntimeBaseError extends Error {
  constructor(message?: string, options?: ErrorOptions) {
    super(message, options)
    const proto = new.target.prototype
    if (!hasOwn(proto, 'name')) nameOn(proto, new.target.name)
  }
}

const hasOwn = (o: object, key: string): boolean => Object.prototype.hasOwnProperty.call(o, key)
/** A class's `name` on its prototype: writable and configurable as Error.prototype.name, not enumerable. */
function nameOn(proto: object, name: string): void {
  Object.defineProperty(proto, 'name', { value: name, writable: true, configurable: true, enumerable: false })
}

/** No links: the path of an error whose cancellation began with its own task (shared, never written). */
const NO_HOPS: readonly CancelHop[] = Object.freeze([])

/** The stack text of a CancelledError without a reason, one per source (a reason makes its own). */
const STACK_BY_SOURCE = new Map<CancelSource, string>()
function cancelledStack(source: CancelSource, reason: string | undefined): string {
  if (reason) return `CancelledError: cancelled (source: ${source}): ${reason}`
  let text = STACK_BY_SOURCE.get(source)
  if (text === undefined) STACK_BY_SOURCE.set(source, (text = `CancelledError: cancelled (source: ${source})`))
  return text
}

/**
 * Delivered into a task at its next await when cancellation was requested. Carries who asked
 * (`source`) and why (`reason`). Created without a captured stack: mass cancellation would
 * otherwise spend most of its time building stack traces, and the request says more to a person.
 */
export class CancelledError extends RuntimeBaseError {
  readonly source: CancelSource
  readonly reason: string | undefined
  /** Where the cancellation began, when a task's request made this error (see Task.cancelCause()). */
  origin: CancelOrigin | null = null
  /** @internal the links from the task whose request made this error (inclusive) to `origin` (exclusive) */
  _path: readonly CancelHop[] = NO_HOPS

  constructor(reason?: string, source: CancelSource = 'user') {
    const limit = Error.stackTraceLimit
    Error.stackTraceLimit = 0
    super(reason ?? '')
    Error.stackTraceLimit = limit
    this.source = source
    this.reason = reason
    this.stack = cancelledStack(source, reason)
  }
}
nameOn(CancelledError.prototype, 'CancelledError')

/** A deadline passed: raised by `waitFor`, `timeout()` scopes and `wait`-style helpers. */
export class TimeoutError extends RuntimeBaseError {}

/** A future was used in a state that does not allow the call (`result()` before done, …). */
export class InvalidStateError extends RuntimeBaseError {}

/** Misuse of the loop: no running loop, a closed loop, a lock released twice, … */
export class RuntimeError extends RuntimeBaseError {}

/**
 * A call got a value it cannot use although its type is right (Python's ValueError):
 * `taskDone()` called more times than items were put, a BoundedSemaphore released beyond its
 * initial value, `gather` over futures of two loops.
 */
export class ValueError extends RuntimeBaseError {}

/** A Barrier was aborted or reset while tasks waited on it, or is broken (asyncio.BrokenBarrierError). */
export class BrokenBarrierError extends RuntimeBaseError {}

/** Every error of a task group's children (in the order they failed), then the body's own. */
export class TaskGroupError extends AggregateError {
  constructor(errors: unknown[], message = 'unhandled errors in a task group') {
    super(errors, `${message} (${errors.length} sub-error${errors.length === 1 ? '' : 's'})`)
    this.name = 'TaskGroupError'
  }
}

/** `Queue.getNowait()` on an empty queue. */
export class QueueEmpty extends RuntimeBaseError {}

/** `Queue.putNowait()` on a full queue. */
export class QueueFull extends RuntimeBaseError {}
