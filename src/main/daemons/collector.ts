import { createServer } from 'node:http'
import type { IncomingMessage, ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import * as v from 'valibot'
import type { StatsSample } from '../../shared/snapshots'

const MAX_BODY = 64 * 1024

const finite = v.pipe(v.number(), v.finite())
const count = v.pipe(v.number(), v.integer(), v.minValue(0))
const sampleSchema = v.object({
  wall: finite,
  loopDelayMs: v.object({ mean: finite, p50: finite, p99: finite, max: finite }),
  tasks: v.object({
    pending: v.optional(count), running: v.optional(count), waiting: v.optional(count),
    cancelling: v.optional(count), done: v.optional(count), failed: v.optional(count),
    cancelled: v.optional(count),
  }),
  memory: v.object({ rssMb: finite, heapUsedMb: finite }),
  cpuPercent: finite,
  extra: v.optional(v.record(v.string(), v.unknown()), {}),
})

/** The "third-party service" of the course's Example 2: an HTTP endpoint that receives samples. */
export interface Collector {
  /** Base URL, e.g. `http://127.0.0.1:41234`; samples go to `POST <url>/samples`. */
  readonly url: string
  readonly port: number
  /** The last samples received, oldest first. */
  samples(): StatsSample[]
  /** Called for each accepted sample; returns unsubscribe. */
  onSample(cb: (sample: StatsSample) => void): () => void
  close(): Promise<void>
}

/**
 * Starts the collector on 127.0.0.1 (`port` 0: any free port). `POST /samples` takes one JSON
 * sample (validated; 400 names the bad field, 413 past 64 KiB) and answers 204; `GET /samples`
 * returns the last `keep` samples.
 *
 * @example const c = await startCollector(); await fetch(`${c.url}/samples`, { method: 'POST', body })
 */
export async function startCollector(opts: { port?: number; keep?: number } = {}): Promise<Collector> {
  const keep = opts.keep ?? 100
  const kept: StatsSample[] = []
  const listeners = new Set<(s: StatsSample) => void>()

  const accept = (sample: StatsSample): void => {
    kept.push(sample)
    if (kept.length > keep) kept.splice(0, kept.length - keep)
    for (const cb of listeners) {
      try {
        cb(sample)
      } catch (error) {
        console.error('loopwatch collector: an onSample listener threw:', error)
      }
    }
  }

  const server = createServer((req, res) => {
    void handle(req, res, accept, kept)
  })
  server.keepAliveTimeout = 5000
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(opts.port ?? 0, '127.0.0.1', () => {
      server.off('error', reject)
      resolve()
    })
  })
  const { port } = server.address() as AddressInfo
  let closing: Promise<void> | null = null

  return {
    url: `http://127.0.0.1:${port}`,
    port,
    samples: () => kept.slice(),
    onSample(cb) {
      listeners.add(cb)
      return () => listeners.delete(cb)
    },
    close() {
      closing ??= new Promise<void>((resolve) => {
        server.close(() => resolve())
        // Idle keep-alive sockets would otherwise hold close() open for keepAliveTimeout.
        server.closeAllConnections()
      })
      return closing
    },
  }
}

async function handle(
  req: IncomingMessage,
  res: ServerResponse,
  accept: (s: StatsSample) => void,
  kept: StatsSample[],
): Promise<void> {
  const path = new URL(req.url ?? '/', 'http://collector').pathname
  if (path !== '/samples') return reply(res, 404, { error: `no route ${path}` })
  if (req.method === 'GET') return reply(res, 200, kept)
  if (req.method !== 'POST') return reply(res, 405, { error: 'use GET or POST' })

  let body: string
  try {
    body = await readBody(req)
  } catch (error) {
    return reply(res, 413, { error: (error as Error).message })
  }
  let json: unknown
  try {
    json = JSON.parse(body)
  } catch {
    return reply(res, 400, { error: 'the body is not JSON' })
  }
  const parsed = v.safeParse(sampleSchema, json)
  if (!parsed.success) {
    const issue = parsed.issues[0]
    return reply(res, 400, { error: `${v.getDotPath(issue) ?? '(root)'}: ${issue.message}` })
  }
  accept(parsed.output)
  reply(res, 204)
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    let size = 0
    req.on('data', (chunk: Buffer) => {
      size += chunk.length
      if (size > MAX_BODY) {
        reject(new Error(`a sample is at most ${MAX_BODY} bytes`))
        req.destroy()
        return
      }
      chunks.push(chunk)
    })
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')))
    req.on('error', reject)
  })
}

function reply(res: ServerResponse, status: number, body?: unknown): void {
  if (body === undefined) {
    res.writeHead(status).end()
    return
  }
  const text = JSON.stringify(body)
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) }).end(text)
}
