/**
 * `await using resource = …; body` spelled as a function: runs the body, then always awaits
 * `resource[Symbol.asyncDispose]()`. Written out because the main-process bundle's transformer
 * would lower `await using` to a helper package this app does not ship.
 *
 * @example const json = await using(new ClientSession(), (session) => session.getJson(url))
 */
export async function using<R extends AsyncDisposable, T>(
  resource: R | PromiseLike<R>,
  body: (resource: R) => Promise<T>,
): Promise<T> {
  const held = await resource
  try {
    return await body(held)
  } finally {
    await held[Symbol.asyncDispose]()
  }
}
