// The course's wait-for-timeout as a plain JavaScript user program: a 10 s request with a 1 s timeout.
import { TimeoutError, run, sleep, waitFor } from 'loopwatch'

async function requestTrafficJams() {
  await sleep(10_000)
}

async function main() {
  try {
    await waitFor(requestTrafficJams, 1000)
  } catch (error) {
    if (!(error instanceof TimeoutError)) throw error
    console.log('Problems with traffic_jams service')
  }
}

await run(main)
