// A connected process's task keeps its own id beside the app-wide one: the window shows the id the
// process's own logs and reports use.
import { describe, expect, it } from 'vitest'
import { EXTERNAL_ID_BASE } from '../../src/main/sources/id-map'
import { openApp } from '../ipc/app-helper'
import { RawAgent, LOOP_MAIN, delta, snapshot } from '../hub/hub-helper'

describe('external task ids in the window', () => {
  it('snapshot, deltas and task:get carry the process’s own id (localId) beside the global id', async () => {
    const app = openApp()
    const hub = (await app.core.hubReady)!
    const { agent } = await RawAgent.hello(hub, { name: 'svc' })
    agent.send(LOOP_MAIN)
    agent.send(delta(1, { created: [snapshot(17, { name: 'GET /slow#17' }), snapshot(3, { name: 'refresher' })] }))
    const streamed = await app.until(() => [...app.view().values()].find((t) => t.name === 'GET /slow#17'))
    expect(streamed.id).toBeGreaterThanOrEqual(EXTERNAL_ID_BASE)
    expect(streamed.localId).toBe(17)
    const snap = await app.ok('app:snapshot')
    expect(snap.tasks.filter((t) => t.id >= EXTERNAL_ID_BASE).map((t) => [t.name, t.localId]).sort()).toEqual([
      ['GET /slow#17', 17],
      ['refresher', 3],
    ])
    expect((await app.ok('task:get', { taskId: streamed.id })).task).toMatchObject({ id: streamed.id, localId: 17 })
    // The app's own tasks have no localId: their id is their own.
    expect(snap.tasks.filter((t) => t.id < EXTERNAL_ID_BASE).every((t) => t.localId === undefined)).toBe(true)
  })

  it('an agent cannot send a localId of its own: the field is not on the wire', async () => {
    const hub = (await openApp().core.hubReady)!
    const { agent } = await RawAgent.hello(hub)
    agent.send(LOOP_MAIN)
    agent.send(delta(1, { created: [{ ...snapshot(1), localId: 99 } as ReturnType<typeof snapshot>] }))
    expect(await agent.ping(1)).toMatchObject([{ type: 'error', code: 'bad_message' }])
  })
})
