// Drives a flood against a browser host in a child process (flood-host.ts) and reads what it cost
// the host: its peak RSS (the kernel's VmHWM, so no spike between samples is missed) and how long
// a second, well-behaved connection (flood-probe.ts, a third process) waited for its answers.
import { spawn } from 'node:child_process'
import type { ChildProcess } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { resolve } from 'node:path'
import WebSocket from 'ws'

const root = resolve(import.meta.dirname, '../../..')

export interface FloodOptions {
  /** Live tasks in the host. */
  tasks: number
  /** The frames the flooding socket sends at once (built before the clock starts). */
  frames: string[]
  /** False: the flooding client never reads (its replies pile up in the host's send buffer). */
  floodReads?: boolean
  /** Give up waiting for the flood's replies after this long. */
  timeoutMs?: number
  /** V8 heap cap of the host (the same for every run, so before/after compare). */
  maxOldSpaceMb?: number
}

export interface FloodFigures {
  /** Peak resident set of the host process over its life (MB). */
  peakRssMb: number
  /** RSS once the host was ready, before the flood (MB). */
  readyRssMb: number
  /** The second connection's request latencies during the flood (ms). */
  p99Ms: number
  maxMs: number
  pings: number
  /** Replies the flooding socket received, by outcome (`ok` or the error code). */
  replies: Record<string, number>
  /** Largest reply frame the flooding socket received (bytes). */
  largestReplyBytes: number
  /** From the first flood frame sent to the last reply received (or the timeout) (ms). */
  floodMs: number
  /** Non-null when the host died (its exit code / signal and the end of its output). */
  died: string | null
}

const mb = (kb: number) => Math.round(kb / 1024)
function procStatus(pid: number, field: 'VmRSS' | 'VmHWM'): number {
  try {
    const m = new RegExp(`${field}:\\s+(\\d+) kB`).exec(readFileSync(`/proc/${pid}/status`, 'utf8'))
    return m ? Number(m[1]) : 0
  } catch {
    return 0
  }
}

function tsx(nodeFlags: string[], args: string[], stdin: 'ignore' | 'pipe'): ChildProcess {
  return spawn(process.execPath, [...nodeFlags, '--import', 'tsx', ...args], {
    cwd: root,
    stdio: [stdin, 'pipe', 'pipe'],
  })
}

function firstLine(child: ChildProcess, what: string): Promise<string> {
  return new Promise((done, fail) => {
    let buf = ''
    let err = ''
    child.stderr!.setEncoding('utf8').on('data', (c: string) => (err = (err + c).slice(-2000)))
    child.stdout!.setEncoding('utf8').on('data', (c: string) => {
      buf += c
      const nl = buf.indexOf('\n')
      if (nl >= 0) done(buf.slice(0, nl))
    })
    child.once('exit', (code) => fail(new Error(`${what} exited (${code}) before it was ready: ${err}`)))
  })
}

/** Starts the host and the probe, floods the host, measures, stops both. */
export async function runFlood(o: FloodOptions): Promise<FloodFigures> {
  const profile = process.env.FLOOD_PROF ? ['--cpu-prof', `--cpu-prof-dir=${process.env.FLOOD_PROF}`] : []
  const host = tsx([`--max-old-space-size=${o.maxOldSpaceMb ?? 1024}`, ...profile], ['test/host-web/flood/flood-host.ts', '--tasks', String(o.tasks)], 'ignore')
  let output = ''
  host.stderr!.setEncoding('utf8').on('data', (c: string) => (output = (output + c).slice(-4000)))
  let exit: string | null = null
  const exited = new Promise<void>((done) =>
    host.once('exit', (code, signal) => {
      exit = `exit ${code ?? signal}`
      done()
    }),
  )
  let probe: ChildProcess | null = null
  try {
    const ready = JSON.parse(await firstLine(host, 'the flood host')) as { port: number; token: string }
    const readyRss = procStatus(host.pid!, 'VmRSS')
    // VmHWM is the kernel's own peak; sampled so that a host that dies still leaves its last figure.
    let peak = procStatus(host.pid!, 'VmHWM')
    const sampler = setInterval(() => (peak = Math.max(peak, procStatus(host.pid!, 'VmHWM'))), 25)

    probe = tsx([], ['test/host-web/flood/flood-probe.ts', String(ready.port), ready.token], 'pipe')
    const probeReady = firstLine(probe, 'the probe')
    let probeOut = ''
    probe.stdout!.on('data', (c: string) => (probeOut += c))
    await probeReady

    // skipUTF8Validation: checking 5 MB replies would be this process's work competing with the host's.
    const flood = new WebSocket(`ws://127.0.0.1:${ready.port}/ipc?token=${ready.token}`, { origin: `http://127.0.0.1:${ready.port}`, skipUTF8Validation: true })
    await new Promise((done, fail) => flood.once('open', done).once('error', fail))
    const replies: Record<string, number> = {}
    let received = 0
    let largest = 0
    const allReplies = new Promise<void>((done) => {
      flood.on('message', (data: Buffer) => {
        // Only the head is read: parsing 5 MB replies here would be our cost, not the host's.
        const head = data.subarray(0, 300).toString('utf8')
        if (!head.startsWith('{"id":')) return
        largest = Math.max(largest, data.length)
        const key = /"ok":true/.test(head) ? 'ok' : (/"code":"([a-z_]+)"/.exec(head)?.[1] ?? '?')
        replies[key] = (replies[key] ?? 0) + 1
        if (++received === o.frames.length) done()
      })
      flood.once('close', () => done())
    })
    if (o.floodReads === false) flood.pause()
    const t0 = performance.now()
    for (const frame of o.frames) flood.send(frame)
    const timeout = o.timeoutMs ?? 30_000
    await Promise.race([allReplies, exited, new Promise((r) => setTimeout(r, o.floodReads === false ? Math.min(timeout, 3_000) : timeout))])
    const floodMs = performance.now() - t0
    // A quiet half second after the flood: its answers still count towards the probe's figures.
    await Promise.race([exited, new Promise((r) => setTimeout(r, 500))])
    const probeExited = new Promise((done) => probe!.once('exit', done))
    probe.stdin!.end()
    await Promise.race([probeExited, new Promise((r) => setTimeout(r, timeout))])
    clearInterval(sampler)
    peak = Math.max(peak, procStatus(host.pid!, 'VmHWM'))
    flood.terminate()
    const latencies = (JSON.parse(probeOut.split('\n')[1] || '[]') as number[]).sort((a, b) => a - b)
    return {
      peakRssMb: mb(peak),
      readyRssMb: mb(readyRss),
      p99Ms: Math.round(latencies[Math.min(latencies.length - 1, Math.floor(latencies.length * 0.99))] ?? Number.NaN),
      maxMs: Math.round(latencies.at(-1) ?? Number.NaN),
      pings: latencies.length,
      replies,
      largestReplyBytes: largest,
      floodMs: Math.round(floodMs),
      died: exit === null ? null : `${exit}: ${output.slice(-400)}`,
    }
  } finally {
    if (probe && probe.exitCode === null) probe.kill('SIGTERM')
    if (exit === null) host.kill('SIGTERM')
    await exited
  }
}
