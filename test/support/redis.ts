// A throwaway Redis for a test file: Debian's redis-server on 127.0.0.1, a free port, a temporary
// folder, no persistence. Where redis-server is missing the suite skips with one line — except in
// CI (`CI` set), where a missing Redis must fail loudly rather than skip the delivery tests.
import { execFileSync, spawn } from 'node:child_process'
import type { ChildProcess } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

function which(cmd: string): string | null {
  try {
    return execFileSync('sh', ['-c', `command -v ${cmd}`], { encoding: 'utf8' }).trim() || null
  } catch {
    return null
  }
}

const serverPath = which('redis-server')
const cliPath = which('redis-cli')

/**
 * Why the Redis suites cannot run here (null: they can). In CI this is always null, so a missing
 * server makes `startRedis()` throw and the suite fail instead of skipping.
 */
export const redisSkipReason: string | null =
  serverPath && cliPath
    ? null
    : process.env['CI']
      ? null
      : 'redis-server/redis-cli not installed (apt-get install -y redis-server); Redis suites skipped'

export interface TestRedis {
  port: number
  url: string
  /** Stops the server (shutdown nosave, then SIGKILL if it lingers) and removes its folder. */
  stop(): Promise<void>
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer()
    srv.once('error', reject)
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number }
      srv.close(() => resolve(port))
    })
  })
}

function ping(port: number): boolean {
  try {
    return execFileSync(cliPath!, ['-h', '127.0.0.1', '-p', String(port), 'ping'], { encoding: 'utf8', timeout: 2000, stdio: ['ignore', 'pipe', 'ignore'] }).trim() === 'PONG'
  } catch {
    return false
  }
}

/**
 * Starts a redis-server in the foreground (so it is our child and dies with our kill), waits until
 * it answers PING (10 s bound), and returns its URL.
 */
export async function startRedis(): Promise<TestRedis> {
  if (!serverPath || !cliPath) throw new Error('redis-server/redis-cli not found on PATH (CI must install redis-server)')
  const dir = mkdtempSync(join(tmpdir(), 'loopwatch-redis-'))
  const port = await freePort()
  const child: ChildProcess = spawn(
    serverPath,
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir, '--daemonize', 'no'],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  )
  let stderr = ''
  child.stderr!.on('data', (c: Buffer) => void (stderr += c.toString()))
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
  const deadline = Date.now() + 10_000
  while (!ping(port)) {
    if (child.exitCode !== null || Date.now() > deadline) {
      child.kill('SIGKILL')
      rmSync(dir, { recursive: true, force: true })
      throw new Error(`redis-server on port ${port} did not answer PING: ${stderr.trim() || 'no output'}`)
    }
    await new Promise((r) => setTimeout(r, 50))
  }
  return {
    port,
    url: `redis://127.0.0.1:${port}`,
    async stop() {
      if (child.exitCode === null) {
        try {
          execFileSync(cliPath!, ['-h', '127.0.0.1', '-p', String(port), 'shutdown', 'nosave'], { timeout: 2000, stdio: 'ignore' })
        } catch {
          // shutdown closes the connection before replying: an error here is the normal case
        }
        const timer = setTimeout(() => child.kill('SIGKILL'), 3000)
        await exited
        clearTimeout(timer)
      }
      rmSync(dir, { recursive: true, force: true })
    },
  }
}
