// A small HTTP service written on Loopwatch's runtime and watched by the app: every request runs
// as a task named for it under a timeout, a background task refreshes the rates it serves, and it
// shuts down gracefully on SIGTERM or on Stop in the window. Run it from the repo root with
//   node --import tsx examples/http-service/server.ts
// (`loopwatch` resolves to this package's runtime through package.json's `exports`).
import { createServer } from 'node:http'
import type { ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { CancelledError, Event, TimeoutError, createTask, gather, getRunningLoop, run, sleep, timeout, wait, waitFor } from 'loopwatch'
import type { Task } from 'loopwatch'
import { watch } from 'loopwatch/agent'

const env = (name: string, fallback: number) => (process.env[name] ? Number(process.env[name]) : fallback)
const PORT = env('PORT', 0)
const REQUEST_TIMEOUT_MS = env('REQUEST_TIMEOUT_MS', 5_000)
const REFRESH_EVERY_MS = env('REFRESH_EVERY_MS', 1_000)
const GRACE_MS = env('GRACE_MS', 3_000)

// Finds the app through its agent.json (or LOOPWATCH_APP); with no app running, nothing changes.
const watcher = watch({ name: 'http-service' })

/** A line on stdout that the window also shows, attributed to the task printing it. */
function log(line: string): void {
  process.stdout.write(`${line}\n`)
  watcher.log('stdout', line)
}

/** What the refresher keeps fresh: a made-up exchange rate. */
const rates = { eurUsd: 1.08, refreshedAt: 0, refreshes: 0 }

async function refresher(): Promise<never> {
  for (;;) {
    await sleep(20) // stands in for fetching the rate from somewhere
    rates.eurUsd = Math.round((1.08 + (Math.random() - 0.5) / 50) * 10_000) / 10_000
    rates.refreshedAt = Date.now()
    rates.refreshes++
    await sleep(REFRESH_EVERY_MS)
  }
}

class NotFound extends Error {}

/** One request's work, by route. */
async function route(url: URL): Promise<unknown> {
  switch (url.pathname) {
    case '/':
      return { routes: ['/rates', '/slow?ms=N', '/work'] }
    case '/rates':
      return rates
    case '/slow': {
      const ms = Math.min(Math.max(Number(url.searchParams.get('ms')) || 0, 0), 600_000)
      await sleep(ms)
      return { slept: ms }
    }
    case '/work': {
      // Three awaited steps at once, each its own task (the window shows them under this request).
      const step = (name: string, ms: number) => createTask(async () => (await sleep(ms), name), { name })
      return { steps: await gather([step('load', 30), step('score', 60), step('render', 20)]) }
    }
    default:
      throw new NotFound(url.pathname)
  }
}

function reply(res: ServerResponse, status: number, body: unknown): void {
  if (res.headersSent || res.destroyed) return
  res.writeHead(status, { 'content-type': 'application/json' }).end(`${JSON.stringify(body)}\n`)
}

/** A request, as one task: its answer, 504 past its timeout, 503 when cancelled (Stop, a shutdown). */
async function serve(url: URL, res: ServerResponse): Promise<void> {
  try {
    reply(res, 200, await timeout(REQUEST_TIMEOUT_MS, () => route(url)))
  } catch (error) {
    if (error instanceof CancelledError) {
      reply(res, 503, { error: 'cancelled', reason: error.reason ?? null })
      throw error // the task ends cancelled, as the window shows it
    }
    if (error instanceof TimeoutError) return reply(res, 504, { error: `no answer within ${REQUEST_TIMEOUT_MS} ms` })
    if (error instanceof NotFound) return reply(res, 404, { error: `no route ${error.message}` })
    reply(res, 500, { error: String(error) })
  }
}

await run(async () => {
  const loop = getRunningLoop()
  const inFlight = new Set<Task<void>>()
  let served = 0
  const refreshing = createTask(refresher, { name: 'refresher' })
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost')
    // Node calls this outside any task: the loop makes the task and runs it on its next turn.
    const task = loop.createTask(() => serve(url, res), { name: `${req.method} ${url.pathname}#${++served}` })
    inFlight.add(task)
    task.addDoneCallback(() => inFlight.delete(task))
  })
  const stopping = new Event()
  process.once('SIGTERM', () => stopping.set()) // a second SIGTERM ends the process at once
  try {
    await waitFor(new Promise<void>((listening) => server.listen(PORT, '127.0.0.1', listening)), null)
    console.log(`http://127.0.0.1:${(server.address() as AddressInfo).port}`)
    await stopping.wait()
    // SIGTERM: no new requests; those in flight get the grace to finish, then are cancelled.
    log(`http-service: SIGTERM, ${inFlight.size} request(s) in flight, ${GRACE_MS} ms of grace`)
    server.close()
    server.closeIdleConnections()
    const pending = inFlight.size === 0 ? [] : [...(await wait([...inFlight], { timeout: GRACE_MS })).pending]
    for (const t of pending) t.cancel('the service is shutting down')
    if (pending.length > 0) await wait(pending, { timeout: 1_000 }) // their cleanup is a 503: short
    log(`http-service: stopped, ${pending.length} request(s) cancelled`)
  } finally {
    // Also the path of Stop in the window: the runtime's shutdown cancels every task, this one too.
    refreshing.cancel()
    server.close()
    server.closeAllConnections()
  }
}).catch((error: unknown) => {
  // Stop in the window cancelled main; the agent has already said bye with its report.
  if (!(error instanceof CancelledError)) throw error
})
// The process now ends by itself; on exit the agent says bye with the exit code.
