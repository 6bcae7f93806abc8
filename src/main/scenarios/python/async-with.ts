import { discard } from './coroutine'

/** Python's asynchronous context manager protocol, spelled as in the course. */
export interface PyAsyncContextManager<T> {
  __aenter__(): PromiseLike<T> | T
  __aexit__(error: unknown): PromiseLike<unknown> | unknown
}

/**
 * Python's `async with cm as value: body` (PEP 492): awaits `__aenter__()`, runs the body, then
 * awaits `__aexit__()` and lets go of what it returned — so a coroutine object returned instead
 * of awaited is dropped unrun, as in CPython. A truthy `__aexit__` result suppresses the body's
 * error, as in Python.
 */
export async function asyncWith<T, R>(
  cm: PyAsyncContextManager<T>,
  body: (value: T) => Promise<R>,
): Promise<R | undefined> {
  const value = await cm.__aenter__()
  let result: R
  try {
    result = await body(value)
  } catch (error) {
    const suppress = await cm.__aexit__(error)
    discard(suppress)
    if (suppress) return undefined
    throw error
  }
  discard(await cm.__aexit__(null))
  return result
}
