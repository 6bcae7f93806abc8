// The test side of hub-process.ts: start it, call its hub's methods, see whether it exited.
import { spawn } from 'node:child_process'
import type { ChildProcessWithoutNullStreams } from 'node:child_process'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import { afterEach } from 'vitest'

const running: RemoteHub[] = []
afterEach(() => {
  for (const h of running.splice(0)) h.stop()
})

export class RemoteHub {
  port = 0
  token = ''
  /** Set if the hub process ended before stop(): a crash. */
  exit: { code: number | null; signal: string | null } | null = null
  stderr = ''
  private nextId = 0
  private readonly waiting = new Map<number, (result: unknown) => void>()
  private stopping = false

  private constructor(private readonly child: ChildProcessWithoutNullStreams) {}

  static async start(): Promise<RemoteHub> {
    const child = spawn(process.execPath, ['--import', 'tsx', join(import.meta.dirname, 'hub-process.ts')], { stdio: 'pipe' })
    const hub = new RemoteHub(child)
    running.push(hub)
    child.stderr.on('data', (d: Buffer) => (hub.stderr = (hub.stderr + d.toString()).slice(-4000)))
    child.on('exit', (code, signal) => {
      if (!hub.stopping) hub.exit = { code, signal }
    })
    const ready = new Promise<void>((resolve, reject) => {
      child.once('exit', () => reject(new Error(`the hub process exited at start: ${hub.stderr}`)))
      createInterface({ input: child.stdout }).on('line', (line) => {
        const m = JSON.parse(line) as { ready?: { port: number; token: string }; id?: number; result?: unknown }
        if (m.ready) {
          hub.port = m.ready.port
          hub.token = m.ready.token
          resolve()
        } else if (m.id !== undefined) {
          hub.waiting.get(m.id)?.(m.result)
          hub.waiting.delete(m.id)
        }
      })
    })
    await ready
    return hub
  }

  /** Calls `method` on the hub in the other process and resolves with its (JSON) result. */
  call<T = unknown>(method: string, ...args: unknown[]): Promise<T> {
    const id = ++this.nextId
    return new Promise((resolve) => {
      this.waiting.set(id, resolve as (r: unknown) => void)
      this.child.stdin.write(`${JSON.stringify({ id, method, args })}\n`)
    })
  }

  stop(): void {
    this.stopping = true
    this.child.stdin.end()
    setTimeout(() => this.child.kill(), 2_000).unref()
  }
}
