/** wait(), waitFor(), shield(), asCompleted(): waiting on several futures, with or without time limits. */
import type { Awaitable } from './awaitable'
import { ensureFuture } from './awaitable'
import { getRunningLoop } from './current'
import { CancelledError, TimeoutError } from './errors'
import { Future } from './future'
import type { Task } from './task'
import { requestCancel } from './task'
import { timeout } from './timeout'
import type { ReturnWhen } from './types'
import { ALL_COMPLETED, FIRST_COMPLETED, FIRST_EXCEPTION } from './types'
import { describeValue, validateDelay } from './validate'

function checkTimeout(t: unknown, what: string): asserts t is number | null | undefined {
  if (t !== null && t !== undefined) validateDelay(t, what)
}

/** CPython's _wait asks `f.exception()` here (so only when the test gets that far): that retrieves it. */
function readsError(f: Future<unknown>): boolean {
  if (f._logTraceback) f._markRetrieved()
  return f._hasException
}

/**
 * Waits until `returnWhen` holds for the awaitables (or `timeout` ms pass) and returns the
 * `done` and `pending` sets, in input order. Never cancels anything.
 * @example const { done, pending } = await wait(tasks, { returnWhen: FIRST_COMPLETED })
 */
export async function wait(
  aws: Iterable<Awaitable<unknown>>,
  opts: { timeout?: number | null; returnWhen?: ReturnWhen } = {},
): Promise<{ done: Set<Task<unknown>>; pending: Set<Task<unknown>> }> {
  const returnWhen = opts?.returnWhen ?? ALL_COMPLETED
  if (returnWhen !== ALL_COMPLETED && returnWhen !== FIRST_COMPLETED && returnWhen !== FIRST_EXCEPTION) {
    throw new TypeError(`wait() returnWhen must be FIRST_COMPLETED, FIRST_EXCEPTION or ALL_COMPLETED, got ${describeValue(returnWhen)}`)
  }
  checkTimeout(opts?.timeout, 'wait')
  if (aws === null || typeof (aws as Iterable<unknown>)?.[Symbol.iterator] !== 'function') {
    throw new TypeError(`wait() takes an iterable of awaitables, got ${describeValue(aws)}`)
  }
  const loop = getRunningLoop()
  const fs = [...new Set(aws)].map((aw) => ensureFuture(aw, loop)) // as CPython: a set of the awaitables first
  if (fs.length === 0) throw new TypeError('wait() was given no awaitables')
  const waiter = loop.createFuture<void>()
  const t = opts?.timeout
  const timer = t === null || t === undefined ? null : loop.callLater(t, () => waiter.done() || waiter.setResult())
  let counter = fs.length
  const onCompletion = (f: Future<unknown>): void => {
    counter--
    if (counter <= 0 || returnWhen === FIRST_COMPLETED || (returnWhen === FIRST_EXCEPTION && !f.cancelled() && readsError(f))) {
      timer?.cancel()
      if (!waiter.done()) waiter.setResult()
    }
  }
  for (const f of fs) f._onDone(onCompletion)
  try {
    await waiter
  } finally {
    timer?.cancel()
    for (const f of fs) f.removeDoneCallback(onCompletion)
  }
  const done = new Set<Task<unknown>>()
  const pending = new Set<Task<unknown>>()
  for (const f of fs) (f.done() ? done : pending).add(f as Task<unknown>)
  return { done, pending }
}

/**
 * Waits for `aw` at most `ms`. A coroutine function runs inside the calling task, as 3.12's
 * wait_for. On timeout cancels it, waits until it has finished its cleanup, then
 * throws TimeoutError — unless it swallowed the cancellation and returned a value, which is then
 * returned (as CPython). `waitFor(p, null)` makes a foreign promise a cancellable await.
 * @example await waitFor(fetchTrafficJams, 1000)
 */
export async function waitFor<T>(aw: Awaitable<T>, ms: number | null): Promise<T> {
  checkTimeout(ms, 'waitFor')
  const loop = getRunningLoop()
  if (ms !== null && ms !== undefined && ms <= 0) {
    const fut = ensureFuture(aw, loop)
    if (fut.done()) return fut.result()
    await cancelAndWait(fut)
    try {
      return fut.result()
    } catch (e) {
      if (e instanceof CancelledError) throw new TimeoutError(`timed out after ${ms} ms`, { cause: e })
      throw e
    }
  }
  // 3.12: a coroutine runs inline in the calling task (no child task); futures and promises are awaited.
  return timeout(ms ?? null, async () => await (typeof aw === 'function' ? aw() : ensureFuture(aw, loop)))
}

async function cancelAndWait(fut: Future<unknown>): Promise<void> {
  const loop = getRunningLoop()
  const waiter = loop.createFuture<void>()
  const release = (): void => {
    if (!waiter.done()) waiter.setResult()
  }
  fut._onDone(release)
  try {
    requestCancel(fut, 'timeout', 'waitFor timed out')
    await waiter
  } finally {
    fut.removeDoneCallback(release)
  }
}

/**
 * Protects `aw` from cancellation: cancelling the returned future (or the task awaiting it) does
 * not cancel `aw`, which runs on.
 */
export function shield<T>(aw: Awaitable<T>): Future<T> {
  const loop = getRunningLoop()
  const inner = ensureFuture(aw, loop)
  if (inner.done()) return inner
  const outer = loop.createFuture<T>()
  const onInner = (f: Future<T>): void => {
    if (outer.cancelled()) {
      if (f._logTraceback) f._markRetrieved() // as CPython: a shield's abandoned inner error is not reported
      return
    }
    if (f.cancelled()) outer.cancel()
    else if (f._hasException) {
      if (f._logTraceback) f._markRetrieved() // passed on to the shield's awaiter
      outer.setException(f._exception)
    }
    else outer.setResult(f._result as T)
  }
  inner._onDone(onInner)
  outer._onDone(() => {
    if (!inner.done()) inner.removeDoneCallback(onInner)
  })
  return outer
}

/**
 * Yields the awaitables' futures as they complete (tasks for functions). With `timeout`, throws
 * TimeoutError once it passes. A hand-written iterator: an async generator would flatten the
 * thenable tasks it yields. (TypeScript types a `for await` variable as the awaited element, so
 * write `for await (const t of asCompleted(xs)) (t as Task<unknown>).result()`; at run time `t` is the task.)
 */
export function asCompleted(
  aws: Iterable<Awaitable<unknown>>,
  opts: { timeout?: number | null } = {},
): AsyncIterableIterator<Task<unknown>> {
  checkTimeout(opts?.timeout, 'asCompleted')
  const loop = getRunningLoop()
  const todo = new Set([...new Set(aws)].map((aw) => ensureFuture(aw, loop)))
  const finished: Future<unknown>[] = []
  let waiter: Future<void> | null = null
  let timedOut = false
  const onDone = (f: Future<unknown>): void => {
    if (!todo.delete(f)) return
    finished.push(f)
    if (waiter !== null && !waiter.done()) waiter.setResult()
  }
  for (const f of todo) f._onDone(onDone)
  const t = opts?.timeout
  const timer =
    t === null || t === undefined
      ? null
      : loop.callLater(t, () => {
          timedOut = true
          for (const f of todo) f.removeDoneCallback(onDone)
          if (waiter !== null && !waiter.done()) waiter.setResult()
        })
  const iterator: AsyncIterableIterator<Task<unknown>> = {
    async next(): Promise<IteratorResult<Task<unknown>>> {
      while (finished.length === 0) {
        if (todo.size === 0 && finished.length === 0) {
          timer?.cancel()
          return { done: true, value: undefined }
        }
        if (timedOut) throw new TimeoutError(`asCompleted timed out after ${t} ms`)
        waiter = loop.createFuture<void>()
        await waiter
        waiter = null
      }
      return { done: false, value: finished.shift() as Task<unknown> }
    },
    async return(): Promise<IteratorResult<Task<unknown>>> {
      timer?.cancel()
      for (const f of todo) f.removeDoneCallback(onDone)
      return { done: true, value: undefined }
    },
    [Symbol.asyncIterator]() {
      return iterator
    },
  }
  return iterator
}
