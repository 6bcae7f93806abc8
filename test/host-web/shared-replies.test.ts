import { describe, expect, it } from 'vitest'
import { SharedReplies } from '../../src/main/host-web/shared-replies'

/** A SharedReplies whose dispatcher counts its builds; each answer says which build it was. */
function counted() {
  let builds = 0
  const shared = new SharedReplies(async () => ({ ok: true, value: { build: ++builds } }))
  const ask = async (epoch: number) => {
    const tail = await shared.tail('app:snapshot', undefined, epoch, () => true)
    return (JSON.parse(`{${tail!.toString()}`) as { value: { build: number } }).value.build
  }
  return { shared, ask, builds: () => builds }
}

describe('shared replies', () => {
  it('gives concurrent identical requests one build, and builds again for a request that comes after an event', async () => {
    const { shared, ask, builds } = counted()
    const a = shared.open()
    expect(await Promise.all([ask(a), ask(a), ask(a)])).toEqual([1, 1, 1])
    // Nothing happened since: the finished answer is still the state.
    expect(await ask(a)).toBe(1)
    shared.changed()
    expect(await ask(a)).toBe(2)
    expect(builds()).toBe(2)
  })

  it('never hands a socket an answer taken before it opened (it would miss the deltas in between)', async () => {
    const { shared, ask } = counted()
    const a = shared.open()
    expect(await ask(a)).toBe(1)
    const b = shared.open()
    expect(await ask(b)).toBe(2)
    // A socket that was open before that second build may have it.
    expect(await ask(a)).toBe(2)
  })

  it('shares nothing with a payload, and no channel that is not a payload-less read', () => {
    const { shared } = counted()
    const e = shared.open()
    expect(shared.tail('app:snapshot', {}, e, () => true)).toBeNull()
    expect(shared.tail('task:get', undefined, e, () => true)).toBeNull()
    expect(shared.tail('__proto__', undefined, e, () => true)).toBeNull()
  })

  it('drops the build when every socket that asked is gone before it is taken', async () => {
    const { shared, builds } = counted()
    const e = shared.open()
    expect(await shared.tail('app:snapshot', undefined, e, () => false)).toBeNull()
    expect(builds()).toBe(0)
  })
})
