// Course program "wait-for-timeout" (Возвращение управления по timeout): a 10 s traffic-jam
// request under waitFor with a 1 s timeout; the timeout becomes a message, not a failure.
import { TimeoutError, run, sleep, waitFor } from 'loopwatch'

const DELAY = 10_000 // param delay (ms): how long the traffic-jam service takes
const TIMEOUT = 1000 // param timeout (ms)

async function requestTrafficJams(): Promise<void> {
  await sleep(DELAY)
}

async function main(): Promise<void> {
  try {
    await waitFor(requestTrafficJams, TIMEOUT)
  } catch (error) {
    if (!(error instanceof TimeoutError)) throw error // except asyncio.TimeoutError:
    console.log('Problems with traffic_jams service')
  }
}

await run(main)
