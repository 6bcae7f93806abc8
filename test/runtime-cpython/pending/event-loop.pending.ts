/** EventLoop cases where the runtime still differs from CPython (see /tmp/runtime-bugs/BUGS.md). */
import { describe, expect, it } from 'vitest'
import { EventLoop } from '../../../src/main/runtime/index'
import { hung, py, tsRaw } from '../cpython'

describe('EventLoop driven by hand, compared with CPython (pending runtime fixes)', () => {
  it('stop() before runForever makes it run one iteration and return', async () => {
    const expected = py(
      `
      loop = VirtualTimeLoop()
      loop.call_soon(lambda: (logt(loop, 'a'), loop.call_soon(logt, loop, 'next iteration')))
      loop.call_soon(logt, loop, 'b')
      loop.stop()
      loop.run_forever()
      logt(loop, 'returned')
      loop.close()
      `,
      { raw: true },
    )
    const actual = await tsRaw(async (log, clock) => {
      const loop = new EventLoop({ clock })
      loop.callSoon(() => {
        log('a')
        loop.callSoon(() => log('next iteration'))
      })
      loop.callSoon(() => log('b'))
      loop.stop()
      const outcome = await Promise.race([loop.runForever().then(() => 'returned'), hung()])
      log(outcome)
      if (outcome === 'hung') loop.stop() // so the loop ends and the test fails on the trace
      else loop.close()
    })
    expect(actual).toEqual(expected)
  })

  it('runUntilComplete of a future that is already done still runs one iteration of queued callbacks', async () => {
    const expected = py(
      `
      loop = VirtualTimeLoop()
      f = loop.create_future()
      f.set_result('ready')
      loop.call_soon(logt, loop, 'queued callback')
      logt(loop, 'result', loop.run_until_complete(f))
      loop.close()
      `,
      { raw: true },
    )
    const actual = await tsRaw(async (log, clock) => {
      const loop = new EventLoop({ clock })
      const f = loop.createFuture<string>()
      f.setResult('ready')
      loop.callSoon(() => log('queued callback'))
      log('result', await loop.runUntilComplete(f))
      loop.close()
    })
    expect(actual).toEqual(expected)
  })
})
