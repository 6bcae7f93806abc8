import { describe, expect, it } from 'vitest'
import type { LoopwatchApi } from '../../src/shared/contract'
import { DetailsState } from '../../src/renderer/src/state/details.svelte'
import { TaskStore } from '../../src/renderer/src/state/task-store.svelte'
import { task } from '../renderer/helpers'

function withApi() {
  const calls: { channel: string; payload: unknown }[] = []
  const api = {
    invoke: async (channel: string, payload: unknown) => {
      calls.push({ channel, payload })
      return { ok: true, value: task() }
    },
    on: () => () => {},
  } as unknown as LoopwatchApi
  return { calls, details: new DetailsState(() => api, new TaskStore()) }
}

describe('extending a deadline', () => {
  it('pushes it by the seconds in the "extend by" field, past what is left', async () => {
    const { calls, details } = withApi()
    const t = task({ state: 'waiting' })
    details.extendSeconds = 30
    expect(await details.extend(t, 2_500)).toBe(true)
    details.extendSeconds = '0.25'
    expect(await details.extend(t, 1_000)).toBe(true)
    expect(calls).toEqual([
      { channel: 'task:setDeadline', payload: { taskId: t.id, inMs: 32_500 } },
      { channel: 'task:setDeadline', payload: { taskId: t.id, inMs: 1_250 } },
    ])
  })

  it('refuses an empty or negative amount, saying why, and sends nothing', async () => {
    const { calls, details } = withApi()
    for (const bad of ['', '-3', 'soon']) {
      details.extendSeconds = bad
      expect(details.extendError).not.toBeNull()
      expect(await details.extend(task(), 1_000)).toBe(false)
    }
    expect(calls).toEqual([])
  })
})
