// Signals reach the browser host however it was started. Real processes: `npm run serve` and
// `npx loopwatch serve` are started as a supervisor would (their own process group), sent SIGTERM
// on npm's own pid, and every process under npm must be gone within a bound, after printing the
// graceful shutdown report. Linux only: descendants are read from /proc. Slow: keep these few.
import { spawn } from 'node:child_process'
import type { ChildProcess } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { connectApi } from '../../e2e/fixtures/api-client'
import { repoRoot } from '../scenarios/helpers'

/** How long the host may take from npm's SIGTERM to being gone (an idle host needs well under 1 s). */
const GONE_WITHIN_MS = 10_000

/** The report's lines for the two heartbeat workers: both cancelled and cleaned up, none forced. */
const GRACEFUL_REPORT = /Stopped 1 part in [\d.]+ s \(grace 2\.0 s\)\.\n2 tasks finished cleanly, 0 forced, 0 cleanup errors\./

const started: { child: ChildProcess; dir: string }[] = []
afterEach(() => {
  for (const { child, dir } of started.splice(0)) {
    // The whole group, orphans included (a re-parented process keeps its group): nothing outlives a test.
    try {
      process.kill(-child.pid!, 'SIGKILL')
    } catch {
      // already gone
    }
    rmSync(dir, { recursive: true, force: true })
  }
})

/** pid → [ppid, state] for every process, from /proc. */
function processTable(): Map<number, { ppid: number; state: string; cmd: string }> {
  const table = new Map<number, { ppid: number; state: string; cmd: string }>()
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8')
      const [state, ppid] = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
      const cmd = readFileSync(`/proc/${name}/cmdline`, 'utf8').replaceAll('\0', ' ').trim()
      table.set(Number(name), { ppid: Number(ppid), state: state!, cmd })
    } catch {
      // it ended while we read
    }
  }
  return table
}

function descendants(root: number): { pid: number; cmd: string }[] {
  const table = processTable()
  const out: { pid: number; cmd: string }[] = []
  const walk = (pid: number) => {
    for (const [child, p] of table) {
      if (p.ppid === pid) {
        out.push({ pid: child, cmd: p.cmd })
        walk(child)
      }
    }
  }
  walk(root)
  return out
}

/** Alive and not a zombie waiting to be reaped. */
function alive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z'
  } catch {
    return false
  }
}

async function startHost(cmd: string, args: string[]) {
  const dir = mkdtempSync(join(tmpdir(), 'lw-signals-'))
  const child = spawn(cmd, [...args, '--port', '0', '--data-dir', dir, '--grace-ms', '2000'], {
    cwd: repoRoot,
    detached: true, // its own process group, as under a supervisor: no signal from us reaches it by accident
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, FORCE_COLOR: '0' },
  })
  started.push({ child, dir })
  let output = ''
  child.stdout!.setEncoding('utf8').on('data', (c: string) => (output += c))
  child.stderr!.setEncoding('utf8').on('data', (c: string) => (output += c))
  const closed = new Promise<void>((done) => child.stdout!.once('close', () => done()))
  const url = await new Promise<URL>((done, fail) => {
    const timer = setTimeout(() => fail(new Error(`no URL within 60 s:\n${output}`)), 60_000)
    child.stdout!.on('data', () => {
      const m = /Loopwatch at (http:\/\/127\.0\.0\.1:\d+\/#token=\S+)/.exec(output)
      if (m) {
        clearTimeout(timer)
        done(new URL(m[1]!))
      }
    })
    child.once('exit', (code) => fail(new Error(`exited (${code}) before printing its URL:\n${output}`)))
  })
  return { child, url, output: () => output, closed }
}

/** SIGTERM to npm's own pid; then every process that was under npm must be gone within the bound. */
async function sigtermToNpm(cmd: string, args: string[]) {
  const host = await startHost(cmd, args)
  // Work for the graceful shutdown to stop: two heartbeat workers, each with a cleanup step.
  const api = await connectApi(host.url.origin, new URLSearchParams(host.url.hash.slice(1)).get('token')!)
  await api.call('daemon:start', { id: 'heartbeat', config: { workers: 2, intervalMs: 50 } })
  api.close()
  const npmPid = host.child.pid!
  const under = descendants(npmPid)
  // The host is one of them (whatever the layers: npm → [sh →] node).
  expect(under.some((p) => /loopwatch(\.mjs)? serve|scripts\/(serve|start)\.mjs/.test(p.cmd)), JSON.stringify(under)).toBe(true)

  const t0 = performance.now()
  process.kill(npmPid, 'SIGTERM')
  let left = [npmPid, ...under.map((p) => p.pid)]
  while (left.length > 0 && performance.now() - t0 < GONE_WITHIN_MS) {
    await new Promise((r) => setTimeout(r, 50))
    left = left.filter(alive)
  }
  const orphans = under.filter((p) => left.includes(p.pid))
  expect(orphans, `still running ${GONE_WITHIN_MS} ms after SIGTERM to npm (pid ${npmPid}):\n${host.output()}`).toEqual([])
  expect(alive(npmPid)).toBe(false)
  await host.closed
  return host.output()
}

describe.runIf(process.platform === 'linux')('SIGTERM to npm reaches the browser host', () => {
  it('npm run serve: the host shuts down gracefully (report printed) and no process is left', async () => {
    const out = await sigtermToNpm('npm', ['run', 'serve', '--'])
    expect(out).toMatch(/loopwatch: SIGTERM: shutting down gracefully \(up to 2000 ms\)/)
    expect(out).toMatch(GRACEFUL_REPORT)
  }, 90_000)

  // Where Electron can open a window, npm start opens it instead of the browser host.
  const electronWindow = existsSync(join(repoRoot, 'node_modules/electron/path.txt')) && (process.env.DISPLAY || process.env.WAYLAND_DISPLAY)
  it.skipIf(electronWindow)('npm start (no Electron window here): the browser host shuts down gracefully, no orphan', async () => {
    const out = await sigtermToNpm('npm', ['start', '--'])
    expect(out).toMatch(/loopwatch: SIGTERM: shutting down gracefully \(up to 2000 ms\)/)
    expect(out).toMatch(GRACEFUL_REPORT)
  }, 90_000)

  it('npx loopwatch serve: the host notices npm and its shell are gone, shuts down gracefully, no orphan', async () => {
    expect(existsSync(join(repoRoot, 'bin/loopwatch.mjs'))).toBe(true)
    // --no: never fetch a package of that name from a registry; the clone's own bin or nothing.
    const out = await sigtermToNpm('npx', ['--no', 'loopwatch', 'serve'])
    // npm's SIGTERM kills the `sh -c` it runs bins through, which passes nothing on: the host
    // sees its parent go and shuts down as for a signal.
    expect(out).toMatch(/loopwatch: (SIGTERM|parent process \d+ went away): shutting down gracefully \(up to 2000 ms\)/)
    expect(out).toMatch(GRACEFUL_REPORT)
  }, 90_000)
})
