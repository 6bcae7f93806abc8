import { createServer } from 'node:http'
import type { IncomingMessage } from 'node:http'
import type { AddressInfo } from 'node:net'
import { describe, expect, it } from 'vitest'
import { ScaledClock } from '../../src/main/runtime'
import type { DaemonLog, StatsSample } from '../../src/main/daemons'
import { onCleanup, setup, until } from './helpers'

describe('stats daemon', () => {
  it('samples real process metrics every interval and POSTs them to the loopback collector', async () => {
    // 1000×: the 60 s default interval passes in 60 ms of real time.
    const { daemons } = setup({ clock: new ScaledClock(1000) })
    const samples: StatsSample[] = []
    daemons.onSample((s) => samples.push(s))

    const info = await daemons.start('stats')
    expect(info).toMatchObject({ running: true, config: { intervalMs: 60_000 }, rate: 1000 })
    await until(() => samples.length >= 2, 10_000, 'two samples')

    const url = daemons.collectorUrl()
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/)
    const served = (await (await fetch(`${url}/samples`)).json()) as StatsSample[]
    expect(served.slice(0, 2)).toEqual(samples.slice(0, 2))

    const [first, second] = samples as [StatsSample, StatsSample]
    expect([first.extra.seq, second.extra.seq]).toEqual([1, 2])
    // Sampled inside the daemon's own step: the only not-done task, and it is running.
    expect(first.tasks).toEqual({ running: 1 })
    expect(first.memory.rssMb).toBeGreaterThan(first.memory.heapUsedMb)
    expect(first.memory.heapUsedMb).toBeGreaterThan(0)
    expect(first.cpuPercent).toBeGreaterThanOrEqual(0)
    for (const v of Object.values(first.loopDelayMs)) expect(v).toBeGreaterThanOrEqual(0)
    expect(first.loopDelayMs.max).toBeGreaterThanOrEqual(first.loopDelayMs.p50)
    expect(second.wall).toBeGreaterThanOrEqual(first.wall)

    const report = await daemons.stop('stats', 1000)
    expect(report).toMatchObject({ id: 'stats', wasRunning: true, forced: [], cleanupErrors: [] })
    expect(report.finished).toEqual([expect.objectContaining({ name: 'stats-daemon', state: 'cancelled' })])
  })

  it('counts tasks with the provider it was given', async () => {
    const { daemons } = setup({ clock: new ScaledClock(1000), taskCounts: () => ({ waiting: 7, pending: 2 }) })
    const samples: StatsSample[] = []
    daemons.onSample((s) => samples.push(s))
    await daemons.start('stats', { intervalMs: 1000 })
    await until(() => samples.length >= 1, 10_000, 'a sample')
    expect(samples[0]!.tasks).toEqual({ waiting: 7, pending: 2 })
  })

  it('stopping while a POST hangs cancels the await and aborts the request', async () => {
    const arrived: IncomingMessage[] = []
    let aborted = false
    const hanging = createServer((req) => {
      arrived.push(req)
      req.on('close', () => (aborted = true))
    })
    await new Promise<void>((resolve) => hanging.listen(0, '127.0.0.1', resolve))
    onCleanup(() => new Promise<void>((resolve) => {
      hanging.closeAllConnections()
      hanging.close(() => resolve())
    }))
    const { port } = hanging.address() as AddressInfo
    const { daemons } = setup({ clock: new ScaledClock(1000), collectorUrl: `http://127.0.0.1:${port}` })

    await daemons.start('stats', { intervalMs: 1000 })
    await until(() => arrived.length === 1, 10_000, 'the POST to reach the collector')
    const started = performance.now()
    const report = await daemons.stop('stats', 60_000)

    expect(report.finished).toEqual([expect.objectContaining({ name: 'stats-daemon', state: 'cancelled' })])
    expect(report.forced).toEqual([])
    expect(performance.now() - started).toBeLessThan(1000) // not the grace, not a socket timeout
    await until(() => aborted, 5000, 'the request to be aborted')
  })

  it('an unreachable collector is logged on stderr and sampling goes on', async () => {
    const { daemons } = setup({ clock: new ScaledClock(1000), collectorUrl: 'http://127.0.0.1:9' })
    const logs: DaemonLog[] = []
    daemons.onLog((l) => logs.push(l))
    await daemons.start('stats', { intervalMs: 1000 })
    await until(() => logs.length >= 2, 10_000, 'two failed deliveries')
    expect(logs.slice(0, 2).map((l) => [l.stream, l.taskName, l.line.replace(/:.*/, '')])).toEqual([
      ['stderr', 'stats-daemon', 'stat #1 not delivered'],
      ['stderr', 'stats-daemon', 'stat #2 not delivered'],
    ])
    expect(daemons.list().find((d) => d.id === 'stats')?.running).toBe(true)
  })
})
