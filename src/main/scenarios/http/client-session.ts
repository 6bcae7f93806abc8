import { Agent, type Dispatcher, fetch, type Response } from 'undici'
import { currentTask, waitFor } from '../../runtime/index'

/**
 * aiohttp's `ClientSession` in miniature, over undici: an async context manager owning its
 * connection pool (closed on dispose) unless handed a dispatcher (e.g. a MockAgent) to use.
 * Every network await goes through `waitFor(p, null)`, so it is a cancellable await of the
 * current task, and the task's `signal` aborts the request itself.
 */
export class ClientSession implements AsyncDisposable {
  readonly #dispatcher: Dispatcher
  readonly #owned: boolean

  constructor(opts: { dispatcher?: Dispatcher | undefined } = {}) {
    this.#owned = opts.dispatcher === undefined
    this.#dispatcher = opts.dispatcher ?? new Agent({ keepAliveTimeout: 1000 })
  }

  /** `session.get(url)`: the response, itself an async context manager. */
  async get(url: string): Promise<ClientResponse> {
    const signal = currentTask()?.signal
    const response = await waitFor(fetch(url, { dispatcher: this.#dispatcher, signal }), null)
    return new ClientResponse(response)
  }

  async [Symbol.asyncDispose](): Promise<void> {
    if (this.#owned) await waitFor(this.#dispatcher.close(), null)
  }
}

/** aiohttp's `ClientResponse`: read the body with `json()`; dispose releases an unread body. */
export class ClientResponse implements AsyncDisposable {
  constructor(readonly raw: Response) {}

  get status(): number {
    return this.raw.status
  }

  /** The decoded JSON body. */
  async json(): Promise<unknown> {
    return waitFor(this.raw.json(), null)
  }

  async [Symbol.asyncDispose](): Promise<void> {
    if (!this.raw.bodyUsed && this.raw.body) await waitFor(this.raw.body.cancel(), null)
  }
}
