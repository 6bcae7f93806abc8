import { spawn } from 'node:child_process'
import type { ChildProcess } from 'node:child_process'
import { once } from 'node:events'
import { fileURLToPath } from 'node:url'
import { afterEach, describe, expect, it } from 'vitest'
import { closeNow, open, tempDataDir } from './helpers'

const fixture = fileURLToPath(new URL('./fixtures/crash-writer.ts', import.meta.url))
const repoRoot = fileURLToPath(new URL('../..', import.meta.url))
let child: ChildProcess | null = null

afterEach(() => {
  if (child && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL')
  child = null
})

/** Starts the writer; resolves with its run id once it has committed its first rows. */
async function startWriter(dataDir: string): Promise<number> {
  child = spawn(process.execPath, ['--import', 'tsx', fixture, dataDir], { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'] })
  let out = ''
  let err = ''
  child.stderr?.on('data', (d: Buffer) => (err += d.toString()))
  return new Promise((resolve, reject) => {
    child!.stdout?.on('data', (d: Buffer) => {
      out += d.toString()
      const m = /READY (\d+)/.exec(out)
      if (m) resolve(Number(m[1]))
    })
    child!.once('exit', (code) => reject(new Error(`writer exited early (${code}): ${err}`)))
  })
}

describe('history crash-marking', () => {
  it('a run whose process was killed mid-run is marked interrupted at the next open, its committed rows intact', async () => {
    const dir = tempDataDir()
    const runId = await startWriter(dir)

    // While the writer lives, its run is not mistaken for a crashed one.
    const meanwhile = open(dir)
    expect(meanwhile.interruptedAtOpen).toEqual([])
    expect(meanwhile.getRun(runId)?.run.outcome).toBe('running')
    // …and this process can record its own run into the same file while the writer keeps writing.
    const ours = meanwhile.startRun({ scenario: 'beside', clock: 'virtual' })
    for (let i = 0; i < 50; i++) {
      meanwhile.log(ours, { t: i, line: `line ${i}`, taskId: null, taskName: null, stream: 'stdout' })
      meanwhile.flush()
    }
    meanwhile.endRun(ours, { outcome: 'done' })
    expect(meanwhile.getRun(ours)?.logs).toHaveLength(50)
    closeNow(meanwhile)

    child!.kill('SIGKILL')
    await once(child!, 'exit')
    expect(child!.signalCode).toBe('SIGKILL')

    const after = open(dir)
    expect(after.interruptedAtOpen).toEqual([runId])
    const detail = after.getRun(runId)!
    expect(detail.run).toMatchObject({ scenario: 'crash-me', params: { victim: true }, outcome: 'interrupted', error: { name: 'Interrupted' } })
    expect(detail.run.endedWall).not.toBeNull()

    const state = Object.fromEntries(detail.tasks.map((t) => [t.name, t.state]))
    expect(state).toEqual({
      main: 'done',
      'quick-1': 'done',
      'quick-2': 'done',
      'quick-3': 'done',
      stuck: 'interrupted',
      ticker: 'interrupted',
    })
    const quick = detail.tasks.filter((t) => t.name.startsWith('quick-'))
    expect(quick.every((t) => t.parentId === detail.tasks.find((m) => m.name === 'main')?.id)).toBe(true)

    const lines = detail.logs.map((l) => l.line)
    expect(lines.slice(0, 1)).toEqual(['tick 0'])
    expect(lines.filter((l) => l.startsWith('quick-'))).toEqual(['quick-1 finished', 'quick-2 finished', 'quick-3 finished'])
    const ticks = lines.filter((l) => l.startsWith('tick ')).map((l) => Number(l.slice(5)))
    expect(ticks).toEqual(ticks.map((_, i) => i)) // every committed tick, in order, no gaps

    expect(after.getRun(ours)?.run.outcome).toBe('done')

    // Marking happens once: the next open finds nothing to mark.
    closeNow(after)
    expect(open(dir).interruptedAtOpen).toEqual([])
  })
})
