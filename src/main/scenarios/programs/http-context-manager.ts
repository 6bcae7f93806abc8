import * as v from 'valibot'
import { defineScenario } from '../define'
import { ClientSession } from '../http/client-session'
import { aioresponses } from '../http/service-double'
import { paramsObject } from '../params'
import { pyRepr } from '../python/repr'
import { using } from '../python/using'
import type { ScenarioContext } from '../types'

const params = paramsObject({
  mode: v.optional(
    v.picklist(['mock', 'loopback'], (issue) => `must be "mock" or "loopback", got ${issue.received}`),
    'mock',
  ),
})
type Params = v.InferOutput<typeof params>

// #region port
async function program({ params, print, run }: ScenarioContext<Params>): Promise<void> {
  async function main(): Promise<void> {
    // with aioresponses() as m: — 'mock' answers in process, 'loopback' over real HTTP
    const json = await using(aioresponses(params.mode), async (m) => {
      m.get(m.url, { payload: { crowd: ['Andrey', 'Alex', 'Artem', 'Igor'] } })
      return using(new ClientSession({ dispatcher: m.dispatcher }), (session) =>
        using(session.get(m.url), (response) => response.json()),
      )
    })

    print(pyRepr(json)) // print(json): Python shows the dict's repr
  }

  await run(main) // data = asyncio.run(main())
}
// #endregion port

export const httpContextManager = defineScenario({
  id: 'http-context-manager',
  title: 'aiohttp GET answered by an aioresponses mock',
  section: 'Асинхронный контекстный менеджер',
  description:
    'A network request written with async context managers: a session, a response, and a mock ' +
    "of the service (the course uses aiohttp and aioresponses). Here the session is a small " +
    "aiohttp-like ClientSession over undici and every `async with` is a real async dispose " +
    "(Symbol.asyncDispose). params.mode 'mock' (default) answers with undici's MockAgent in " +
    "process, as aioresponses does — handed to the session explicitly rather than patched in " +
    "globally, so nothing else in the app is affected; 'loopback' starts a real HTTP server on " +
    '127.0.0.1 for the run and stops it afterwards. Either way the decoded JSON prints as ' +
    "Python's dict repr: {'crowd': ['Andrey', 'Alex', 'Artem', 'Igor']}.",
  params,
  run: program,
})
