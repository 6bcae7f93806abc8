/** wait() and asCompleted() as CPython's: the three modes, timeouts that return what is done, no cancelling. */
import { describe, it } from 'vitest'
import type { Task } from '../../src/main/runtime/index'
import {
  ALL_COMPLETED,
  FIRST_COMPLETED,
  FIRST_EXCEPTION,
  TimeoutError,
  asCompleted,
  createTask,
  getRunningLoop,
  sleep,
  wait,
} from '../../src/main/runtime/index'
import type { Log } from './cpython'
import { ValueError, err, expectSameTrace } from './cpython'

/** Python side: tasks named by (name, ms, fails) and a sorted-name printer for wait()'s sets. */
const pyJobs = `
async def job(name, d, fail=False):
    try:
        await asyncio.sleep(d / 1000)
    except asyncio.CancelledError:
        log(name, 'cancelled')
        raise
    if fail:
        log(name, 'fails')
        raise ValueError(name)
    log(name, 'finished')
    return name
def start(*specs):
    return [asyncio.create_task(job(*s), name=s[0]) for s in specs]
def names(s):
    return ','.join(sorted(t.get_name() for t in s)) or '-'
`

function tsJobs(log: Log) {
  const job = (name: string, d: number, fail = false) => async (): Promise<string> => {
    try {
      await sleep(d)
    } catch (e) {
      log(name, 'cancelled')
      throw e
    }
    if (fail) {
      log(name, 'fails')
      throw new ValueError(name)
    }
    log(name, 'finished')
    return name
  }
  const start = (...specs: [string, number, boolean?][]): Task<string>[] =>
    specs.map(([name, d, fail]) => createTask(job(name, d, fail ?? false), { name }))
  const names = (s: Set<Task<unknown>>): string => [...s].map((t) => t.name).sort().join(',') || '-'
  return { start, names }
}

describe('wait, compared with CPython', () => {
  it('ALL_COMPLETED waits for every task, failures included', async () => {
    await expectSameTrace(
      [
        pyJobs,
        `
      async def main():
          done, pending = await asyncio.wait(start(('a', 20), ('b', 10, True), ('c', 30)))
          log('done', names(done), 'pending', names(pending))
      `,
      ],
      async (log) => {
        const { start, names } = tsJobs(log)
        const { done, pending } = await wait(start(['a', 20], ['b', 10, true], ['c', 30]), { returnWhen: ALL_COMPLETED })
        log('done', names(done), 'pending', names(pending))
      },
    )
  })

  it('FIRST_COMPLETED returns at the first completion and never cancels the rest', async () => {
    await expectSameTrace(
      [
        pyJobs,
        `
      async def main():
          done, pending = await asyncio.wait(start(('a', 20), ('b', 10), ('c', 10), ('d', 30)), return_when=asyncio.FIRST_COMPLETED)
          log('done', names(done), 'pending', names(pending))
          await asyncio.sleep(0.05)
          log('pending all finished', all(t.done() and not t.cancelled() for t in pending))
      `,
      ],
      async (log) => {
        const { start, names } = tsJobs(log)
        const { done, pending } = await wait(start(['a', 20], ['b', 10], ['c', 10], ['d', 30]), { returnWhen: FIRST_COMPLETED })
        log('done', names(done), 'pending', names(pending))
        await sleep(50)
        log('pending all finished', [...pending].every((t) => t.done() && !t.cancelled()) ? 'True' : 'False')
      },
    )
  })

  it('FIRST_EXCEPTION returns at the first failure, or when all are done if none fails', async () => {
    await expectSameTrace(
      [
        pyJobs,
        `
      async def main():
          done, pending = await asyncio.wait(start(('a', 10), ('b', 20, True), ('c', 30)), return_when=asyncio.FIRST_EXCEPTION)
          log('done', names(done), 'pending', names(pending))
          done, pending = await asyncio.wait(start(('x', 10), ('y', 20)), return_when=asyncio.FIRST_EXCEPTION)
          log('done', names(done), 'pending', names(pending))
      `,
      ],
      async (log) => {
        const { start, names } = tsJobs(log)
        let r = await wait(start(['a', 10], ['b', 20, true], ['c', 30]), { returnWhen: FIRST_EXCEPTION })
        log('done', names(r.done), 'pending', names(r.pending))
        r = await wait(start(['x', 10], ['y', 20]), { returnWhen: FIRST_EXCEPTION })
        log('done', names(r.done), 'pending', names(r.pending))
      },
    )
  })

  it('a wait timeout returns what is done so far and cancels nothing', async () => {
    await expectSameTrace(
      [
        pyJobs,
        `
      async def main():
          done, pending = await asyncio.wait(start(('a', 10), ('b', 50), ('c', 15, True)), timeout=0.02)
          log('done', names(done), 'pending', names(pending))
          await asyncio.sleep(0.05)
          log('b cancelled', any(t.cancelled() for t in pending))
          done, pending = await asyncio.wait(start(('z', 10)), timeout=0)
          log('zero timeout: done', names(done), 'pending', names(pending))
          await asyncio.sleep(0.02)
      `,
      ],
      async (log) => {
        const { start, names } = tsJobs(log)
        const { done, pending } = await wait(start(['a', 10], ['b', 50], ['c', 15, true]), { timeout: 20 })
        log('done', names(done), 'pending', names(pending))
        await sleep(50)
        log('b cancelled', [...pending].some((t) => t.cancelled()) ? 'True' : 'False')
        const z = await wait(start(['z', 10]), { timeout: 0 })
        log('zero timeout: done', names(z.done), 'pending', names(z.pending))
        await sleep(20)
      },
    )
  })

  it('wait on tasks that are already done still lets the loop turn before returning', async () => {
    await expectSameTrace(
      [
        pyJobs,
        `
      async def ticker():
          for i in range(4):
              log('tick', i)
              await asyncio.sleep(0)
      async def main():
          ts = start(('a', 0), ('b', 0))
          await asyncio.sleep(0.001)
          asyncio.create_task(ticker())
          done, pending = await asyncio.wait(ts, return_when=asyncio.FIRST_COMPLETED)
          log('done', names(done), 'pending', names(pending))
      `,
      ],
      async (log) => {
        const { start, names } = tsJobs(log)
        const ts = start(['a', 0], ['b', 0])
        await sleep(1)
        createTask(async () => {
          for (let i = 0; i < 4; i++) {
            log('tick', i)
            await sleep(0)
          }
        })
        const { done, pending } = await wait(ts, { returnWhen: FIRST_COMPLETED })
        log('done', names(done), 'pending', names(pending))
      },
    )
  })

  it('FIRST_EXCEPTION does not count a cancellation as an exception', async () => {
    await expectSameTrace(
      [
        pyJobs,
        `
      async def main():
          ts = start(('a', 10), ('b', 30, True), ('c', 50))
          asyncio.get_running_loop().call_later(0.005, ts[0].cancel)
          done, pending = await asyncio.wait(ts, return_when=asyncio.FIRST_EXCEPTION)
          log('done', names(done), 'pending', names(pending))
          await asyncio.sleep(0.05)
      `,
      ],
      async (log) => {
        const { start, names } = tsJobs(log)
        const ts = start(['a', 10], ['b', 30, true], ['c', 50])
        getRunningLoop().callLater(5, () => ts[0]!.cancel())
        const { done, pending } = await wait(ts, { returnWhen: FIRST_EXCEPTION })
        log('done', names(done), 'pending', names(pending))
        await sleep(50)
      },
    )
  })
})

describe('asCompleted, compared with CPython', () => {
  it('asCompleted yields in completion order, errors included', async () => {
    await expectSameTrace(
      [
        pyJobs,
        `
      async def main():
          for c in asyncio.as_completed(start(('a', 30), ('b', 10), ('c', 20, True), ('d', 20))):
              try:
                  log('yielded', await c)
              except ValueError as e:
                  log('yielded failure', err(e))
      `,
      ],
      async (log) => {
        const { start } = tsJobs(log)
        for await (const t of asCompleted(start(['a', 30], ['b', 10], ['c', 20, true], ['d', 20]))) {
          try {
            log('yielded', await t)
          } catch (e) {
            log('yielded failure', err(e))
          }
        }
      },
    )
  })

  it('asCompleted with a timeout yields what finished, then throws TimeoutError, cancelling nothing', async () => {
    await expectSameTrace(
      [
        pyJobs,
        `
      async def main():
          ts = start(('a', 10), ('b', 50), ('c', 5))
          try:
              for c in asyncio.as_completed(ts, timeout=0.02):
                  log('yielded', await c)
          except TimeoutError:
              log('TimeoutError')
          await asyncio.sleep(0.05)
          log('b cancelled', ts[1].cancelled(), 'result', ts[1].result())
      `,
      ],
      async (log) => {
        const { start } = tsJobs(log)
        const ts = start(['a', 10], ['b', 50], ['c', 5])
        try {
          for await (const t of asCompleted(ts, { timeout: 20 })) log('yielded', await t)
        } catch (e) {
          if (e instanceof TimeoutError) log('TimeoutError')
          else log('unexpected', err(e))
        }
        await sleep(50)
        log('b cancelled', ts[1]!.cancelled() ? 'True' : 'False', 'result', ts[1]!.result())
      },
    )
  })

  it('an awaitable listed twice runs once, as CPython makes a set of them (and as gather dedups)', async () => {
    await expectSameTrace(
      `
      async def main():
          runs = 0
          async def job():
              nonlocal runs
              runs += 1
              await asyncio.sleep(0.001)
              return runs
          c = job()
          got = [await f for f in asyncio.as_completed([c, c])]
          log('as_completed ran', runs, 'time(s), yielded', len(got))
          t = asyncio.create_task(job())
          done, pending = await asyncio.wait([t, t])
          log('wait ran', runs, 'time(s) in all, done', len(done))
      `,
      async (log) => {
        let runs = 0
        const job = async (): Promise<number> => {
          runs++
          await sleep(1)
          return runs
        }
        const got: unknown[] = []
        for await (const t of asCompleted([job, job])) got.push(await t)
        log('as_completed ran', runs, 'time(s), yielded', got.length)
        const { done } = await wait([job, job])
        log('wait ran', runs, 'time(s) in all, done', done.size)
      },
    )
  })
})
