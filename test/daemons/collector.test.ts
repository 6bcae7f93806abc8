import { afterEach, describe, expect, it } from 'vitest'
import { startCollector } from '../../src/main/daemons/collector'
import type { Collector } from '../../src/main/daemons/collector'
import type { StatsSample } from '../../src/shared/snapshots'

let collector: Collector | null = null
afterEach(async () => {
  await collector?.close()
  collector = null
})

const sample = (seq: number): StatsSample => ({
  wall: Date.now(),
  loopDelayMs: { mean: 1.2, p50: 1.1, p99: 2.5, max: 3 },
  tasks: { waiting: 3, running: 1 },
  memory: { rssMb: 100, heapUsedMb: 40 },
  cpuPercent: 12.5,
  extra: { seq, intervalMs: 1000 },
})
const seqOf = (s: StatsSample) => s.extra['seq']

const post = (c: Collector, body: string) =>
  fetch(`${c.url}/samples`, { method: 'POST', headers: { 'content-type': 'application/json' }, body })

describe('stats collector', () => {
  it('listens on loopback and hands each posted sample to its listeners', async () => {
    collector = await startCollector()
    expect(collector.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/)
    const got: StatsSample[] = []
    collector.onSample((s) => got.push(s))

    const sent = sample(1)

    const res = await post(collector, JSON.stringify(sent))

    expect(res.status).toBe(204)
    expect(got).toEqual([sent])
  })

  it('keeps only the last N samples and serves them over GET', async () => {
    collector = await startCollector({ keep: 3 })
    for (let seq = 1; seq <= 5; seq++) await post(collector, JSON.stringify(sample(seq)))

    const res = await fetch(`${collector.url}/samples`)
    const body = (await res.json()) as StatsSample[]

    expect(body.map(seqOf)).toEqual([3, 4, 5])
    expect(collector.samples().map(seqOf)).toEqual([3, 4, 5])
  })

  it('rejects a malformed sample with 400 naming the field, and stores nothing', async () => {
    collector = await startCollector()
    const bad = { ...sample(1), cpuPercent: 'lots' }

    const res = await post(collector, JSON.stringify(bad))
    const notJson = await post(collector, '{')

    expect(res.status).toBe(400)
    expect(((await res.json()) as { error: string }).error).toMatch(/^cpuPercent:/)
    expect(notJson.status).toBe(400)
    expect(collector.samples()).toEqual([])
  })

  it('refuses a body over 64 KiB with 413', async () => {
    collector = await startCollector()
    const res = await post(collector, JSON.stringify({ ...sample(1), pad: 'x'.repeat(70_000) })).catch((e: Error) => e)
    // The server may reset the socket before the client finishes sending; either way nothing is stored.
    if (!(res instanceof Error)) expect(res.status).toBe(413)
    expect(collector.samples()).toEqual([])
  })

  it('closes promptly even with a keep-alive connection open', async () => {
    collector = await startCollector()
    await post(collector, JSON.stringify(sample(1)))
    const started = performance.now()
    await collector.close()
    expect(performance.now() - started).toBeLessThan(1000)
  })
})
