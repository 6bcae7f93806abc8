// Course program "http-context-manager" (Асинхронный контекстный менеджер): a GET written with async
// context managers — a mocked service (aioresponses), a session and a response (aiohttp) — over undici.
import { once } from 'node:events'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { type Dispatcher, MockAgent, fetch } from 'undici'
import { currentTask, run, waitFor } from 'loopwatch'

const MODE: 'mock' | 'loopback' = 'mock' // param mode: 'mock' answers in process, 'loopback' over real HTTP on 127.0.0.1

/** The course's aioresponses(): a stand-in for the service; each get() registers one answer. */
async function aioresponses(mode: typeof MODE) {
  if (mode === 'mock') {
    const agent = new MockAgent() // undici's in-process mock, as aioresponses patches aiohttp
    agent.disableNetConnect()
    return {
      url: 'http://service.ru/',
      dispatcher: agent as Dispatcher | undefined,
      get(url: string, { payload }: { payload: unknown }) {
        const { origin, pathname } = new URL(url)
        agent
          .get(origin)
          .intercept({ path: pathname, method: 'GET' })
          .reply(200, JSON.stringify(payload), { headers: { 'content-type': 'application/json' } })
      },
      [Symbol.asyncDispose]: () => waitFor(agent.close(), null),
    }
  }
  const answers = new Map<string, unknown>() // path → payload
  const server = createServer((req, res) => {
    const payload = answers.get(new URL(req.url ?? '/', 'http://127.0.0.1').pathname)
    res.writeHead(payload === undefined ? 404 : 200, { 'content-type': 'application/json' })
    res.end(JSON.stringify(payload ?? null))
  })
  server.listen(0, '127.0.0.1')
  await waitFor(once(server, 'listening'), null)
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`,
    dispatcher: undefined as Dispatcher | undefined,
    get: (url: string, { payload }: { payload: unknown }) => void answers.set(new URL(url).pathname, payload),
    [Symbol.asyncDispose]: () => waitFor(new Promise<void>((done) => server.close(() => done())), null),
  }
}

/**
 * aiohttp's ClientSession in miniature. Network awaits go through waitFor(p, null), so they are
 * awaits the loop sees (cancellable, shown in the window); the task's signal aborts the request.
 */
class ClientSession {
  constructor(private readonly dispatcher: Dispatcher | undefined) {}

  async get(url: string) {
    const response = await waitFor(fetch(url, { dispatcher: this.dispatcher, signal: currentTask()?.signal }), null)
    return {
      json: () => waitFor(response.json(), null),
      async [Symbol.asyncDispose]() {
        if (!response.bodyUsed) await waitFor(response.body?.cancel() ?? Promise.resolve(), null) // release an unread body
      },
    }
  }

  async [Symbol.asyncDispose](): Promise<void> {
    // nothing of its own to close: it borrows the mock's dispatcher or undici's global pool
  }
}

/** print(json) in Python shows the dict's repr: {'crowd': ['Andrey', 'Alex', …]}. */
function pyRepr(value: unknown): string {
  if (typeof value === 'string') return `'${value.replaceAll('\\', '\\\\').replaceAll("'", "\\'")}'`
  if (Array.isArray(value)) return `[${value.map(pyRepr).join(', ')}]`
  if (value === null) return 'None'
  if (typeof value === 'boolean') return value ? 'True' : 'False'
  if (typeof value === 'object') return `{${Object.entries(value).map(([k, v]) => `${pyRepr(k)}: ${pyRepr(v)}`).join(', ')}}`
  return String(value)
}

async function main(): Promise<void> {
  let json: unknown
  {
    await using m = await aioresponses(MODE) // with aioresponses() as m:
    m.get(m.url, { payload: { crowd: ['Andrey', 'Alex', 'Artem', 'Igor'] } })
    await using session = new ClientSession(m.dispatcher) // async with aiohttp.ClientSession() as session:
    await using response = await session.get(m.url) // async with session.get(url) as response:
    json = await response.json()
  }

  console.log(pyRepr(json)) // print(json)
}

await run(main) // data = asyncio.run(main())
