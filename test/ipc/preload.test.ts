import { beforeAll, describe, expect, it, vi } from 'vitest'
import type { LoopwatchApi } from '../../src/shared/contract'
import { ELECTRON_EVENT, ELECTRON_INVOKE } from '../../src/shared/wire'

const h = vi.hoisted(() => ({
  exposed: {} as Record<string, unknown>,
  invoke: vi.fn(async (..._args: unknown[]) => ({ ok: true, value: [] })),
  onEvent: null as null | ((...args: unknown[]) => void),
}))
vi.mock('electron', () => {
  const electron = {
    contextBridge: { exposeInMainWorld: (key: string, api: unknown) => (h.exposed[key] = api) },
    ipcRenderer: {
      invoke: h.invoke,
      on: (name: string, fn: (...a: unknown[]) => void) => name === 'loopwatch:event' && (h.onEvent = fn),
    },
  }
  return { ...electron, default: electron }
})

let api: LoopwatchApi
beforeAll(async () => {
  await import('../../src/preload/index')
  api = h.exposed.loopwatch as LoopwatchApi
})

describe('preload bridge', () => {
  it('exposes only invoke and on as window.loopwatch', () => {
    expect(Object.keys(h.exposed)).toEqual(['loopwatch'])
    expect(Object.keys(api).sort()).toEqual(['invoke', 'on'])
  })

  it('sends every command through the one gateway channel', async () => {
    await api.invoke('task:cancel', { taskId: 3 })
    expect(h.invoke).toHaveBeenLastCalledWith(ELECTRON_INVOKE, 'task:cancel', { taskId: 3 })
  })

  it('delivers only the payload of the events a listener asked for, and stops after unsubscribe', () => {
    const got: unknown[] = []
    const off = api.on('runs:changed', (p) => got.push(p))
    h.onEvent!({ sender: 'secret' }, 'runs:changed', ['a'])
    h.onEvent!({ sender: 'secret' }, 'stats:sample', ['b'])
    off()
    h.onEvent!({ sender: 'secret' }, 'runs:changed', ['c'])
    expect(got).toEqual([['a']])
    expect(ELECTRON_EVENT).toBe('loopwatch:event')
  })
})
