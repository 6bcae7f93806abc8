import type * as v from 'valibot'
import { TimeoutError, sleep, waitFor } from '../../runtime/index'
import { defineScenario } from '../define'
import { millis, paramsObject } from '../params'
import type { ScenarioContext } from '../types'

const params = paramsObject({ delay: millis(10_000), timeout: millis(1000) })
type Params = v.InferOutput<typeof params>

// #region port
async function program({ params, print, run }: ScenarioContext<Params>): Promise<void> {
  async function requestTrafficJams(): Promise<void> {
    await sleep(params.delay)
  }

  async function main(): Promise<void> {
    try {
      await waitFor(requestTrafficJams, params.timeout)
    } catch (error) {
      if (!(error instanceof TimeoutError)) throw error // except asyncio.TimeoutError:
      print('Problems with traffic_jams service')
    }
  }

  await run(main)
}
// #endregion port

export const waitForTimeout = defineScenario({
  id: 'wait-for-timeout',
  title: 'wait_for: a 10 s traffic-jam request with a 1 s timeout',
  section: 'Возвращение управления по timeout',
  description:
    'A city map with optional traffic-jam data: the request to the slow service (10 s) is ' +
    'wrapped in asyncio.wait_for with a 1 s timeout. At the timeout wait_for cancels the ' +
    'request, waits until it has finished cancelling, and raises TimeoutError, which main() ' +
    'turns into a message instead of failing. With params.delay below params.timeout the ' +
    'request simply completes and nothing is printed.',
  params,
  run: program,
})
