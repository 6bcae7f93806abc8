import * as v from 'valibot'
import { describe, expect, it } from 'vitest'
import { sleep } from '../../src/main/runtime/index'
import {
  MAX_TASKS_PER_DELTA_LIST,
  agentMessageSchemas,
  appUrl,
  hubMessageSchemas,
  parseAgentLine,
  parseAppUrl,
  parseHubLine,
  taskDeltaSchema,
  taskSnapshotSchema,
} from '../../src/shared/agent-protocol/index'
import { watchedLoop } from '../monitor/monitor-helper'
import { hello, snapshot } from './hub-helper'

describe('agent protocol schemas', () => {
  it('accept every delta the real TaskMonitor emits: waits, cancels, failures, logs, segments', async () => {
    const w = watchedLoop()
    await w.loop.runUntilComplete(async () => {
      const sleeper = w.loop.createTask(async () => void (await sleep(2000)), { name: 'sleeper' })
      w.loop.createTask(async () => void (await sleeper), { name: 'waiter' })
      w.loop.createTask(async () => {
        throw new Error('boom')
      }, { name: 'failing' })
      const victim = w.loop.createTask(async () => void (await sleep(5000)), { name: 'victim' })
      await sleep(10)
      w.monitor.flushNow()
      w.monitor.log('run-1', { t: 10, line: 'printed', taskId: victim.id, taskName: 'victim', stream: 'stdout' })
      victim.cancel('test')
      await sleep(3000)
    })
    w.monitor.flushNow()
    expect(w.monitor.snapshot().tasks.every((t) => v.safeParse(taskSnapshotSchema, t).success)).toBe(true)
    expect(w.deltas.length).toBeGreaterThan(1)
    for (const d of w.deltas) {
      const r = v.safeParse(taskDeltaSchema, d)
      expect(r.success, r.success ? '' : v.summarize(r.issues)).toBe(true)
    }
    expect(w.deltas.some((d) => [...d.created, ...d.ended].some((t) => t.error !== null))).toBe(true)
    expect(w.deltas.some((d) => (d.segments ?? []).length > 0)).toBe(true)
    expect(w.deltas.some((d) => d.logs.length > 0)).toBe(true)
    expect(w.deltas.some((d) => d.ended.some((t) => t.cancel?.reason === 'test'))).toBe(true)
  })

  it('accept a full snapshot with its history, and refuse one field past its bound', () => {
    const withHistory = snapshot(1, { history: { head: [{ state: 'running', from: 0, to: 1 }], skipped: 3, tail: [], open: null } })
    const base = { seq: 1, created: [withHistory], changed: [], ended: [], removed: [], logs: [], clocks: [] }
    expect(v.safeParse(taskDeltaSchema, base).success).toBe(true)
    for (const bad of [
      { ...base, created: Array.from({ length: MAX_TASKS_PER_DELTA_LIST + 1 }, (_, i) => snapshot(i)) },
      { ...base, created: [snapshot(1, { name: 'n'.repeat(201) })] },
      { ...base, created: [snapshot(1, { createdAt: { loop: 1e16, wall: 0 } })] },
      { ...base, created: [snapshot(-1)] },
      { ...base, created: [{ ...snapshot(1), extra: 1 }] },
      { ...base, seq: 1.5 },
    ]) {
      expect(v.safeParse(taskDeltaSchema, bad).success).toBe(false)
    }
  })

  it('answer a bad line with a short error naming the type and the field, never echoing it at length', () => {
    const huge = 'q'.repeat(100_000)
    const r = parseAgentLine(JSON.stringify({ type: 'loop:added', loop: 'main', clock: { kind: huge } }))
    expect(r).toMatchObject({ ok: false, error: { code: 'bad_message' } })
    expect(!r.ok && r.error.message.length).toBeLessThanOrEqual(300)
    expect(!r.ok && r.error.message).toMatch(/^loop:added\.clock/)
    expect(parseAgentLine(JSON.stringify({ type: huge }))).toMatchObject({ ok: false, error: { code: 'bad_message' } })
    expect(parseAgentLine('{"type":"ping","id":1,"__proto__":{"x":1}}')).toMatchObject({ ok: false })
    expect(parseAgentLine('{"type":"ping","id":1}')).toEqual({ ok: true, message: { type: 'ping', id: 1 } })
  })

  it('list one schema per message type, each checking its own type', () => {
    for (const [type, schema] of [...Object.entries(agentMessageSchemas), ...Object.entries(hubMessageSchemas)]) {
      expect(v.safeParse(schema, { type: `${type}-not` }).success).toBe(false)
    }
  })

  it('hello takes an optional role, child or service, and nothing else; notice says app-closing and nothing else', () => {
    for (const role of ['child', 'service', undefined] as const) expect(parseAgentLine(JSON.stringify(hello('t', role ? { role } : {}))).ok, String(role)).toBe(true)
    expect(parseAgentLine(JSON.stringify({ ...hello('t'), role: 'daemon' }))).toMatchObject({ ok: false, error: { message: expect.stringMatching(/^hello\.role/) } })
    expect(parseHubLine('{"type":"notice","what":"app-closing","message":"bye for now"}')).toEqual({ ok: true, message: { type: 'notice', what: 'app-closing', message: 'bye for now' } })
    expect(parseHubLine('{"type":"notice","what":"reboot","message":"x"}').ok).toBe(false)
  })

  it('read the hub URL back from its own form', () => {
    expect(parseAppUrl(appUrl({ port: 4100, token: 'a+b/c=' }))).toEqual({ ok: true, address: { host: '127.0.0.1', port: 4100, token: 'a+b/c=' } })
    expect(parseAppUrl('tcp://[::1]:4100?token=t')).toEqual({ ok: true, address: { host: '::1', port: 4100, token: 't' } })
    expect(parseAppUrl('tcp://127.0.0.1:0?token=t')).toMatchObject({ ok: false })
  })
})
