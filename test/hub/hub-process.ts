// A hub in its own process, for the fuzz test: its heap is measured alone, and a crash shows as an
// exit. Protocol on stdio: it prints {"ready":{port,token}}, then answers each stdin line
// {"id","method","args"} (a method of AgentHub, or "peakMemory") with {"id","result"}.
import { createInterface } from 'node:readline'
import { AgentHub } from '../../src/main/hub/index'

const hub = await AgentHub.start({ dataDir: null })
// Peaks of the JS heap, of Buffer memory (lines being split live there), and of the whole process.
const peak = { heapUsed: 0, arrayBuffers: 0, rss: 0 }
const sample = () => {
  const m = process.memoryUsage()
  peak.heapUsed = Math.max(peak.heapUsed, m.heapUsed)
  peak.arrayBuffers = Math.max(peak.arrayBuffers, m.arrayBuffers)
  peak.rss = Math.max(peak.rss, m.rss)
}
setInterval(sample, 10).unref()
process.stdout.write(`${JSON.stringify({ ready: { port: hub.port, token: hub.token } })}\n`)

createInterface({ input: process.stdin }).on('line', async (line) => {
  const { id, method, args } = JSON.parse(line) as { id: number; method: string; args: unknown[] }
  sample()
  const result = method === 'peakMemory' ? peak : await (hub as unknown as Record<string, (...a: unknown[]) => unknown>)[method]!(...args)
  process.stdout.write(`${JSON.stringify({ id, result: result ?? null })}\n`)
})
process.stdin.on('end', () => void hub.close().then(() => process.exit(0)))
