import { once } from 'node:events'
import { type IncomingMessage, type Server, type ServerResponse, createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { type Dispatcher, MockAgent } from 'undici'
import { waitFor } from '../../runtime/index'

export type HttpServiceMode = 'mock' | 'loopback'

/** A canned answer for `get(url, { payload })`, as aioresponses' `m.get` takes it. */
export interface CannedResponse {
  payload: unknown
  status?: number
}

/**
 * The course's `aioresponses()`: a stand-in for an HTTP service, used as a context manager.
 * Each `get` registers one answer (used once, as aioresponses does by default).
 */
export interface ServiceDouble extends AsyncDisposable {
  readonly mode: HttpServiceMode
  /** Where the service answers: the course's URL when mocked, the real server when loopback. */
  readonly url: string
  /** What a session must dispatch through to reach it: the MockAgent, or undefined (real HTTP). */
  readonly dispatcher: Dispatcher | undefined
  get(url: string, answer: CannedResponse): void
}

/**
 * Opens a service double. 'mock': undici's MockAgent answers requests for `courseUrl` in
 * process, with no network (aioresponses' way; other hosts are refused). 'loopback': a real
 * node:http server on 127.0.0.1 (an ephemeral port) answers over real HTTP until disposed.
 */
export async function aioresponses(mode: HttpServiceMode, courseUrl = 'http://service.ru'): Promise<ServiceDouble> {
  return mode === 'mock' ? new MockedService(courseUrl) : LoopbackService.start()
}

class MockedService implements ServiceDouble {
  readonly mode = 'mock'
  readonly #agent = new MockAgent()

  constructor(readonly url: string) {
    this.#agent.disableNetConnect()
  }

  get dispatcher(): Dispatcher {
    return this.#agent
  }

  get(url: string, { payload, status = 200 }: CannedResponse): void {
    const { origin, pathname, search } = new URL(url)
    this.#agent
      .get(origin)
      .intercept({ path: pathname + search, method: 'GET' })
      .reply(status, JSON.stringify(payload), { headers: { 'content-type': 'application/json' } })
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await waitFor(this.#agent.close(), null)
  }
}

class LoopbackService implements ServiceDouble {
  readonly mode = 'loopback'
  readonly dispatcher = undefined

  private constructor(
    private readonly server: Server,
    private readonly routes: Map<string, CannedResponse[]>,
    readonly url: string,
  ) {}

  static async start(): Promise<LoopbackService> {
    const routes = new Map<string, CannedResponse[]>()
    const server = createServer((req, res) => answer(routes, req, res))
    server.listen(0, '127.0.0.1')
    await waitFor(once(server, 'listening'), null)
    const { port } = server.address() as AddressInfo
    return new LoopbackService(server, routes, `http://127.0.0.1:${port}/`)
  }

  get(url: string, answer: CannedResponse): void {
    const key = routeKey('GET', new URL(url, this.url))
    this.routes.set(key, [...(this.routes.get(key) ?? []), answer])
  }

  async [Symbol.asyncDispose](): Promise<void> {
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()))
    this.server.closeAllConnections()
    await waitFor(closed, null)
  }
}

function routeKey(method: string, url: URL): string {
  return `${method} ${url.pathname}${url.search}`
}

/** Serves the next canned answer for the request's route (each is used once), else 404. */
function answer(routes: Map<string, CannedResponse[]>, req: IncomingMessage, res: ServerResponse): void {
  const key = routeKey(req.method ?? 'GET', new URL(req.url ?? '/', 'http://127.0.0.1'))
  const canned = routes.get(key)?.shift()
  if (!canned) {
    res.writeHead(404, { 'content-type': 'application/json' }).end(JSON.stringify({ error: `no answer for ${key}` }))
    return
  }
  res.writeHead(canned.status ?? 200, { 'content-type': 'application/json' }).end(JSON.stringify(canned.payload))
}
