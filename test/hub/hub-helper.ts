// Real sockets on 127.0.0.1: a raw line client for the hub tests, and message builders.
import { connect } from 'node:net'
import type { Socket } from 'node:net'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach } from 'vitest'
import { AGENT_PROTOCOL_VERSION } from '../../src/shared/agent-protocol/index'
import type { AgentMessage, HubMessage } from '../../src/shared/agent-protocol/index'
import { AgentHub } from '../../src/main/hub/index'
import type { HubOptions } from '../../src/main/hub/index'
import type { TaskDelta, TaskSnapshot } from '../../src/shared/snapshots'

const cleanups: (() => Promise<void>)[] = []
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c()
})

/** A temp data dir, removed after the test. */
export async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'lw-hub-'))
  cleanups.push(() => rm(dir, { recursive: true, force: true }))
  return dir
}

/** A hub on a free port (closed after the test). */
export async function startHub(opts: Partial<HubOptions> = {}): Promise<AgentHub> {
  const hub = await AgentHub.start({ dataDir: null, ...opts })
  cleanups.push(() => hub.close())
  return hub
}

/** A raw agent connection: write lines, await the hub's lines (parsed) and the close. */
export class RawAgent {
  readonly lines: HubMessage[] = []
  closed = false
  private buffer = ''
  private waiters: (() => void)[] = []
  readonly done: Promise<void>

  constructor(readonly socket: Socket) {
    socket.setEncoding('utf8')
    socket.on('data', (text: string) => {
      this.buffer += text
      let nl: number
      while ((nl = this.buffer.indexOf('\n')) !== -1) {
        this.lines.push(JSON.parse(this.buffer.slice(0, nl)) as HubMessage)
        this.buffer = this.buffer.slice(nl + 1)
      }
      this.wake()
    })
    socket.on('error', () => undefined)
    this.done = new Promise((resolve) =>
      socket.on('close', () => {
        this.closed = true
        this.wake()
        resolve()
      }),
    )
  }

  static async connect(port: number): Promise<RawAgent> {
    const socket = connect({ host: '127.0.0.1', port })
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', resolve)
      socket.once('error', reject)
    })
    const agent = new RawAgent(socket)
    cleanups.push(async () => void socket.destroy())
    return agent
  }

  /** Connects and completes the handshake; returns the agent and its source id. */
  static async hello(hub: { port: number; token: string }, fields: Partial<Extract<AgentMessage, { type: 'hello' }>> = {}): Promise<{ agent: RawAgent; sourceId: string }> {
    const agent = await RawAgent.connect(hub.port)
    agent.send(hello(hub.token, fields))
    const welcome = await agent.next()
    if (welcome.type !== 'welcome') throw new Error(`expected welcome, got ${JSON.stringify(welcome)}`)
    return { agent, sourceId: welcome.sourceId }
  }

  send(message: object): void {
    this.socket.write(`${JSON.stringify(message)}\n`)
  }

  write(raw: string | Buffer): void {
    this.socket.write(raw)
  }

  /** The next line from the hub (waits up to `ms`). */
  async next(ms = 5_000): Promise<HubMessage> {
    const line = await this.until(() => this.lines.length > 0, ms)
    if (!line) throw new Error(`no line from the hub within ${ms} ms (closed: ${this.closed})`)
    return this.lines.shift() as HubMessage
  }

  /** Sends a ping and resolves with every line that arrived before its pong. */
  async ping(id: number): Promise<HubMessage[]> {
    this.send({ type: 'ping', id })
    const got: HubMessage[] = []
    for (;;) {
      const m = await this.next()
      if (m.type === 'pong' && m.id === id) return got
      got.push(m)
    }
  }

  async closedWithin(ms = 5_000): Promise<boolean> {
    return this.until(() => this.closed, ms)
  }

  private until(ok: () => boolean, ms: number): Promise<boolean> {
    if (ok()) return Promise.resolve(true)
    return new Promise((resolve) => {
      const timer = setTimeout(() => resolve(false), ms)
      const check = () => {
        if (ok()) {
          clearTimeout(timer)
          resolve(true)
        } else this.waiters.push(check)
      }
      this.waiters.push(check)
    })
  }

  private wake(): void {
    for (const w of this.waiters.splice(0)) w()
  }
}

export function hello(token: string, fields: Partial<Extract<AgentMessage, { type: 'hello' }>> = {}): Extract<AgentMessage, { type: 'hello' }> {
  return {
    type: 'hello',
    protocol: AGENT_PROTOCOL_VERSION,
    token,
    name: 'test-agent',
    pid: 4242,
    runtime: { kind: 'node', version: '20.0.0' },
    clock: { kind: 'real' },
    ...fields,
  }
}

/** A task snapshot as the monitor makes one (loop `main`). */
export function snapshot(id: number, fields: Partial<TaskSnapshot> = {}): TaskSnapshot {
  return {
    id,
    loop: 'main',
    runId: null,
    name: `task-${id}`,
    parentId: null,
    state: 'running',
    createdAt: { loop: 0, wall: 1_700_000_000_000 },
    startedAt: { loop: 0, wall: 1_700_000_000_000 },
    endedAt: null,
    awaiting: null,
    cancel: null,
    deadline: null,
    error: null,
    logCount: 0,
    ...fields,
  }
}

export function delta(seq: number, parts: Partial<TaskDelta> = {}): { type: 'tasks:delta'; delta: TaskDelta } {
  return { type: 'tasks:delta', delta: { seq, created: [], changed: [], ended: [], removed: [], logs: [], clocks: [], ...parts } }
}

export const LOOP_MAIN = { type: 'loop:added', loop: 'main', clock: { kind: 'real' } } as const

/** Waits until `ok()` holds, polling on the event loop (sockets deliver asynchronously). */
export async function eventually(ok: () => boolean, ms = 5_000): Promise<void> {
  const end = Date.now() + ms
  while (!ok()) {
    if (Date.now() > end) throw new Error('condition not met in time')
    await new Promise((r) => setTimeout(r, 5))
  }
}
