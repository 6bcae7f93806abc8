// A burst of runs:changed (each the whole list of runs) reaches a socket as its newest list, and
// the order against other events holds: 500 runs started at once are not 500 ever longer lists.
import { describe, expect, it } from 'vitest'
import type WebSocket from 'ws'
import { connect, startFixture } from './web-host-helper'

function collect(ws: WebSocket): Record<string, unknown>[] {
  const frames: Record<string, unknown>[] = []
  ws.on('message', (data) => frames.push(JSON.parse(String(data)) as Record<string, unknown>))
  return frames
}

async function until(check: () => boolean): Promise<void> {
  for (let i = 0; i < 500 && !check(); i++) await new Promise((r) => setTimeout(r, 10))
}

describe('whole-list events', () => {
  it('send a burst of runs:changed as the newest list only', async () => {
    const f = await startFixture()
    const ws = await connect(f.host)
    const frames = collect(ws)
    for (let n = 1; n <= 500; n++) f.emit('runs:changed', Array.from({ length: n }, (_, i) => ({ runId: i + 1 })))
    await until(() => frames.length >= 1)
    // A later event proves nothing else of the burst is still on its way.
    f.emit('sources:changed', [])
    await until(() => frames.length >= 2)
    expect(frames.map((fr) => fr.event)).toEqual(['runs:changed', 'sources:changed'])
    expect((frames[0]!.payload as unknown[]).length).toBe(500)
  })

  it('send a pending list before any other event, so the order a window sees is kept', async () => {
    const f = await startFixture()
    const ws = await connect(f.host)
    const frames = collect(ws)
    f.emit('runs:changed', [{ runId: 1 }])
    f.emit('tasks:delta', { seq: 1 })
    f.emit('runs:changed', [{ runId: 1 }, { runId: 2 }])
    await until(() => frames.length >= 3)
    expect(frames).toEqual([
      { event: 'runs:changed', payload: [{ runId: 1 }] },
      { event: 'tasks:delta', payload: { seq: 1 } },
      { event: 'runs:changed', payload: [{ runId: 1 }, { runId: 2 }] },
    ])
  })
})
