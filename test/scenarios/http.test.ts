import { request } from 'node:http'
import { describe, expect, it } from 'vitest'
import { EventLoop, VirtualClock } from '../../src/main/runtime/index'
import { ClientSession } from '../../src/main/scenarios/http/client-session'
import { aioresponses } from '../../src/main/scenarios/http/service-double'
import { using } from '../../src/main/scenarios/python/using'
import { runScenario } from './helpers'

const crowd = "{'crowd': ['Andrey', 'Alex', 'Artem', 'Igor']}"

/** Runs `body` as a task of a fresh virtual-clock loop. */
function inTask<T>(body: () => Promise<T>): Promise<T> {
  const loop = new EventLoop({ clock: new VirtualClock() })
  return loop.runUntilComplete(loop.createTask(body, { name: 'test' }))
}

/** Whether anything accepts TCP connections at this URL now. */
function reachable(url: string): Promise<boolean> {
  return new Promise((resolve) => {
    const req = request(url, () => resolve(true))
    req.on('error', () => resolve(false))
    req.end()
  })
}

describe('http-context-manager', () => {
  it("prints the mocked JSON as Python's dict repr in mock mode, at t=0", async () => {
    const run = await runScenario('http-context-manager', { mode: 'mock' })
    run.remove()
    expect(run.result.outcome).toBe('done')
    expect(run.records.map((r) => [r.t, r.taskName, r.line])).toEqual([[0, 'main', crowd]])
  })

  it('prints the same line when a real server on 127.0.0.1 answers (loopback mode)', async () => {
    const run = await runScenario('http-context-manager', { mode: 'loopback' })
    run.remove()
    expect(run.result).toMatchObject({ outcome: 'done' })
    expect(run.records.map((r) => r.line)).toEqual([crowd])
  })
})

describe('the HTTP service doubles', () => {
  it('serve a canned answer over real HTTP on 127.0.0.1 and stop listening when disposed', async () => {
    let url = ''
    const json = await inTask(() =>
      using(aioresponses('loopback'), async (service) => {
        url = service.url
        expect(service.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/)
        service.get(`${service.url}users`, { payload: { ok: true } })
        return using(new ClientSession(), (session) => using(session.get(`${service.url}users`), (r) => r.json()))
      }),
    )
    expect(json).toEqual({ ok: true })
    expect(await reachable(url)).toBe(false)
  })

  it('answer 404 on loopback once a canned answer is used up, as aioresponses does', async () => {
    const statuses = await inTask(() =>
      using(aioresponses('loopback'), (service) => {
        service.get(service.url, { payload: 1 })
        return using(new ClientSession(), async (session) => {
          const first = await using(session.get(service.url), async (r) => r.status)
          const second = await using(session.get(service.url), async (r) => r.status)
          return [first, second]
        })
      }),
    )
    expect(statuses).toEqual([200, 404])
  })

  it('answer in process with the MockAgent and refuse any host that was not mocked', async () => {
    const outcome = await inTask(() =>
      using(aioresponses('mock'), (service) => {
        expect(service.url).toBe('http://service.ru')
        service.get(service.url, { payload: { crowd: [] } })
        return using(new ClientSession({ dispatcher: service.dispatcher }), async (session) => {
          const json = await using(session.get(service.url), (r) => r.json())
          const refused = await session.get('http://127.0.0.1:9/').then(
            () => null,
            (error: Error) => error,
          )
          return { json, refused }
        })
      }),
    )
    expect(outcome.json).toEqual({ crowd: [] })
    expect(outcome.refused).toBeInstanceOf(Error)
  })
})
