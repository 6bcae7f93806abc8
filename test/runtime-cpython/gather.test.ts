/** gather as CPython's: input order, first error, returnExceptions, cancellation, duplicates. */
import { describe, expect, it } from 'vitest'
import type { Future } from '../../src/main/runtime/index'
import { CancelledError, TimeoutError, createTask, currentTask, gather, getRunningLoop, shield, sleep, waitFor } from '../../src/main/runtime/index'
import { ValueError, b, err, expectSameTrace, fmt } from './cpython'

describe('gather, compared with CPython', () => {
  it('gather returns results in input order, not completion order', async () => {
    await expectSameTrace(
      `
      async def job(name, d):
          await asyncio.sleep(d / 1000)
          log(name, 'finished')
          return name
      async def main():
          r = await asyncio.gather(job('slow', 30), job('fast', 10), job('mid', 20))
          log('results', fmt(r))
      `,
      async (log) => {
        const job = (name: string, d: number) => async (): Promise<string> => {
          await sleep(d)
          log(name, 'finished')
          return name
        }
        const r = await gather([job('slow', 30), job('fast', 10), job('mid', 20)])
        log('results', fmt(r))
      },
    )
  })

  it('the first error settles the gather while the other children keep running', async () => {
    await expectSameTrace(
      `
      async def job(name, d, fail=False):
          await asyncio.sleep(d / 1000)
          if fail:
              log(name, 'fails')
              raise ValueError(name)
          log(name, 'finished')
          return name
      async def main():
          a = asyncio.create_task(job('a', 30))
          try:
              await asyncio.gather(a, job('b', 10, True), job('c', 20, True))
          except ValueError as e:
              log('gather raised', err(e), 'a done', a.done())
          await asyncio.sleep(0.05)
          log('a done later', a.done(), 'result', a.result())
      `,
      async (log) => {
        const job =
          (name: string, d: number, fail = false) =>
          async (): Promise<string> => {
            await sleep(d)
            if (fail) {
              log(name, 'fails')
              throw new ValueError(name)
            }
            log(name, 'finished')
            return name
          }
        const a = createTask(job('a', 30))
        try {
          await gather([a, job('b', 10, true), job('c', 20, true)])
        } catch (e) {
          log('gather raised', err(e), 'a done', b(a.done()))
        }
        await sleep(50)
        log('a done later', b(a.done()), 'result', a.result())
      },
    )
  })

  it('with returnExceptions errors and cancellations take their place among the results', async () => {
    await expectSameTrace(
      `
      async def ok():
          await asyncio.sleep(0.01)
          return 'ok'
      async def bad():
          await asyncio.sleep(0.005)
          raise ValueError('bad')
      async def main():
          victim = asyncio.create_task(asyncio.sleep(1))
          asyncio.get_running_loop().call_later(0.002, victim.cancel)
          r = await asyncio.gather(ok(), bad(), victim, return_exceptions=True)
          log('results', fmt(r))
      `,
      async (log) => {
        const victim = createTask(() => sleep(1000))
        getRunningLoop().callLater(2, () => victim.cancel())
        const r = await gather(
          [
            async () => {
              await sleep(10)
              return 'ok'
            },
            async () => {
              await sleep(5)
              throw new ValueError('bad')
            },
            victim,
          ],
          { returnExceptions: true },
        )
        log('results', fmt(r))
      },
    )
  })

  it('cancelling the gather cancels every child and settles it with a CancelledError once they finish', async () => {
    await expectSameTrace(
      `
      async def child(i, cleanup):
          try:
              await asyncio.sleep(1)
          except asyncio.CancelledError:
              await asyncio.sleep(cleanup / 1000)
              log('child', i, 'cleaned up')
              raise
      async def main():
          for rex in (False, True):
              g = asyncio.gather(child(1, 10), child(2, 0), child(3, 20), return_exceptions=rex)
              await asyncio.sleep(0.01)
              log('cancel returns', g.cancel(), 'return_exceptions', rex)
              try:
                  await g
              except asyncio.CancelledError:
                  log('gather raised CancelledError; cancelled()', g.cancelled(), 'exception', err(g.exception()))
              log('cancel again', g.cancel())
      `,
      async (log) => {
        const child = (i: number, cleanup: number) => async (): Promise<void> => {
          try {
            await sleep(1000)
          } catch (e) {
            await sleep(cleanup)
            log('child', i, 'cleaned up')
            throw e
          }
        }
        for (const rex of [false, true]) {
          const g: Future<unknown[]> = gather([child(1, 10), child(2, 0), child(3, 20)], { returnExceptions: rex })
          await sleep(10)
          log('cancel returns', b(g.cancel()), 'return_exceptions', b(rex))
          try {
            await g
          } catch (e) {
            if (e instanceof CancelledError) log('gather raised CancelledError; cancelled()', b(g.cancelled()), 'exception', err(g.exception()))
          }
          log('cancel again', b(g.cancel()))
        }
      },
    )
  })

  it('a child cancelled from elsewhere makes the gather raise CancelledError while the rest run on', async () => {
    await expectSameTrace(
      `
      async def job(name, d):
          await asyncio.sleep(d)
          log(name, 'finished')
          return name
      async def main():
          a = asyncio.create_task(job('a', 0.01))
          c = asyncio.create_task(job('c', 0.03))
          g = asyncio.gather(a, c)
          asyncio.get_running_loop().call_later(0.02, c.cancel)
          try:
              await g
          except asyncio.CancelledError:
              log('gather raised CancelledError, main cancelling', asyncio.current_task().cancelling())
          log('gather done', g.done(), 'cancelled', g.cancelled())
          late = asyncio.create_task(job('late', 0.05))
          g2 = asyncio.gather(late, asyncio.create_task(job('boom', 0)))
          await asyncio.sleep(0.01)
          log('late gather cancel after all but one finished', g2.cancel())
          try:
              await g2
          except asyncio.CancelledError:
              log('g2 raised CancelledError, late cancelled', late.cancelled())
      `,
      async (log) => {
        const job = (name: string, d: number) => async (): Promise<string> => {
          await sleep(d)
          log(name, 'finished')
          return name
        }
        const a = createTask(job('a', 10))
        const c = createTask(job('c', 30))
        const g = gather([a, c])
        getRunningLoop().callLater(20, () => c.cancel())
        try {
          await g
        } catch (e) {
          if (e instanceof CancelledError) log('gather raised CancelledError, main cancelling', currentTask()!.cancelling())
        }
        log('gather done', b(g.done()), 'cancelled', b(g.cancelled()))
        const late = createTask(job('late', 50))
        const g2 = gather([late, createTask(job('boom', 0))])
        await sleep(10)
        log('late gather cancel after all but one finished', b(g2.cancel()))
        try {
          await g2
        } catch (e) {
          if (e instanceof CancelledError) log('g2 raised CancelledError, late cancelled', b(late.cancelled()))
        }
      },
    )
  })

  it('gather counts a repeated awaitable once and repeats its result', async () => {
    await expectSameTrace(
      `
      async def job(name):
          log('job', name, 'runs')
          await asyncio.sleep(0.01)
          return name
      async def main():
          t = asyncio.create_task(job('t'))
          f = asyncio.get_running_loop().create_future()
          f.set_result('f')
          r = await asyncio.gather(t, f, t, job('x'), f)
          log('results', fmt(r))
          log('empty', fmt(await asyncio.gather()))
      `,
      async (log) => {
        const job = (name: string) => async (): Promise<string> => {
          log('job', name, 'runs')
          await sleep(10)
          return name
        }
        const t = createTask(job('t'))
        const f = getRunningLoop().createFuture<string>()
        f.setResult('f')
        const r = await gather([t, f, t, job('x'), f])
        log('results', fmt(r))
        log('empty', fmt(await gather([])))
      },
    )
  })

  it('a gather that already failed ignores cancel() and leaves the remaining children alone', async () => {
    await expectSameTrace(
      `
      async def slow():
          await asyncio.sleep(0.03)
          log('slow finished')
      async def fails():
          await asyncio.sleep(0.01)
          raise ValueError('x')
      async def main():
          s = asyncio.create_task(slow())
          g = asyncio.gather(s, fails())
          await asyncio.sleep(0.02)
          log('gather done', g.done(), 'cancel returns', g.cancel(), 'slow cancelled', s.cancelled())
          await asyncio.sleep(0.02)
          log('exception', err(g.exception()))
      `,
      async (log) => {
        const s = createTask(async () => {
          await sleep(30)
          log('slow finished')
        })
        const g = gather([
          s,
          async () => {
            await sleep(10)
            throw new ValueError('x')
          },
        ])
        await sleep(20)
        log('gather done', b(g.done()), 'cancel returns', b(g.cancel()), 'slow cancelled', b(s.cancelled()))
        await sleep(20)
        log('exception', err(g.exception()))
      },
    )
  })

  it('cancelling a gather of gathers reaches every leaf; a shielded gather outlives waitFor; waitFor cancels a plain gather', async () => {
    await expectSameTrace(
      `
      async def leaf(n, d):
          try:
              await asyncio.sleep(d)
              log('leaf', n, 'done')
              return n
          except asyncio.CancelledError:
              log('leaf', n, 'cancelled')
              raise
      async def main():
          inner = asyncio.gather(leaf(1, 0.05), leaf(2, 0.05))
          outer = asyncio.gather(inner, leaf(3, 0.05))
          await asyncio.sleep(0.01)
          log('cancel outer', outer.cancel())
          try:
              await outer
          except asyncio.CancelledError:
              log('outer raised CancelledError; inner done', inner.done())
          g = asyncio.gather(leaf(4, 0.03), leaf(5, 0.02))
          try:
              await asyncio.wait_for(asyncio.shield(g), 0.01)
          except TimeoutError:
              log('shielded gather timed out, g done', g.done())
          log('g result', fmt(await g))
          try:
              await asyncio.wait_for(asyncio.gather(leaf(6, 0.03), leaf(7, 0.005)), 0.01)
          except TimeoutError:
              log('gather timed out')
      `,
      async (log) => {
        const leaf = (n: number, d: number) => async () => {
          try {
            await sleep(d)
            log('leaf', n, 'done')
            return n
          } catch (e) {
            log('leaf', n, 'cancelled')
            throw e
          }
        }
        const inner = gather([leaf(1, 50), leaf(2, 50)])
        const outer = gather([inner, leaf(3, 50)])
        await sleep(10)
        log('cancel outer', b(outer.cancel()))
        try {
          await outer
        } catch (e) {
          if (e instanceof CancelledError) log('outer raised CancelledError; inner done', b(inner.done()))
        }
        const g = gather([leaf(4, 30), leaf(5, 20)])
        try {
          await waitFor(shield(g), 10)
        } catch (e) {
          if (e instanceof TimeoutError) log('shielded gather timed out, g done', b(g.done()))
        }
        log('g result', fmt(await g))
        try {
          await waitFor(gather([leaf(6, 30), leaf(7, 5)]), 10)
        } catch (e) {
          if (e instanceof TimeoutError) log('gather timed out')
        }
      },
    )
  })

  it('cancelling gather(returnExceptions) raises the last child\'s CancelledError, with its message and source (3.12)', async () => {
    const expected = await expectSameTrace(
      `
      async def child(name, d):
          try:
              await asyncio.sleep(d / 1000)
          except asyncio.CancelledError as e:
              log(name, 'cancelled:', str(e))
              raise
      async def main():
          g = asyncio.gather(child('a', 1000), child('b', 2000), return_exceptions=True)
          await asyncio.sleep(0.01)
          log('cancel returned', g.cancel('stop now'))
          try:
              await g
          except asyncio.CancelledError as e:
              log('gather raised CancelledError:', str(e))
      `,
      async (log) => {
        const child = (name: string, d: number) => async (): Promise<void> => {
          try {
            await sleep(d)
          } catch (e) {
            log(name, 'cancelled:', (e as CancelledError).reason ?? '')
            throw e
          }
        }
        const g = gather([child('a', 1000), child('b', 2000)], { returnExceptions: true })
        await sleep(10)
        log('cancel returned', b(g.cancel('stop now')))
        try {
          await g
        } catch (e) {
          if (!(e instanceof CancelledError)) throw e
          // the children were cancelled on the gather's behalf: source parent, as each child's own error
          if (e.source !== 'parent') throw new Error(`source ${e.source}`)
          log('gather raised CancelledError:', e.reason ?? '')
        }
      },
    )
    expect(expected).toContain('10 gather raised CancelledError: stop now')
  })
})
