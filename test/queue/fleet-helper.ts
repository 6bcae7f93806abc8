// Real worker processes for the fleet tests: `loopwatch worker` / `loopwatch produce` as children.
import { spawn } from 'node:child_process'
import type { ChildProcess } from 'node:child_process'
import { join } from 'node:path'
import { repoRoot } from '../scenarios/helpers'

const BIN = join(repoRoot, 'bin/loopwatch.mjs')

export interface WorkerProcess {
  child: ChildProcess
  pid: number
  /** `worker <pid>`: its source name and BullMQ's processedBy. */
  slot: string
  out: () => string
  err: () => string
  exited: Promise<number | null>
}

const children = new Set<ChildProcess>()

/** Kills (SIGKILL) every child still alive: the tests' last resort, no orphans. */
export function killAll(): void {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL')
  children.clear()
}

/** Starts `loopwatch <args>` and resolves once its stdout matches `ready` (20 s bound). */
export async function startCli(args: string[], env: Record<string, string>, ready: RegExp | null): Promise<WorkerProcess> {
  const child = spawn(process.execPath, [BIN, ...args], { cwd: repoRoot, env: { ...process.env, LOOPWATCH_APP: '', ...env }, stdio: ['ignore', 'pipe', 'pipe'] })
  children.add(child)
  let out = ''
  let err = ''
  child.stdout!.setEncoding('utf8').on('data', (c: string) => void (out += c))
  child.stderr!.setEncoding('utf8').on('data', (c: string) => void (err += c))
  const exited = new Promise<number | null>((done) => child.on('close', (code) => done(code)))
  if (ready) {
    const deadline = Date.now() + 20_000
    while (!ready.test(out)) {
      if (child.exitCode !== null || Date.now() > deadline) throw new Error(`loopwatch ${args[0]} did not get ready: ${out}\n${err}`)
      await new Promise((r) => setTimeout(r, 20))
    }
  }
  return { child, pid: child.pid!, slot: `worker ${child.pid}`, out: () => out, err: () => err, exited }
}

/** Polls `ok` (async) every 50 ms until it holds; fails after `ms`. */
export async function pollUntil(ok: () => Promise<boolean> | boolean, ms: number, what: string): Promise<void> {
  const end = Date.now() + ms
  while (!(await ok())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 50))
  }
}
