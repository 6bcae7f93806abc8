// Course program "stats-daemon-run" (Пример 2): the same daemon without an explicit loop —
// run(main) — printing the loop's time every interval.
import { getRunningLoop, run, sleep } from 'loopwatch'

const INTERVAL = 60_000 // param interval (ms)
const ITERATIONS: number | null = 3 // param iterations (the course: while True; null: endless)

/** Python's time.time() on the loop's clock, printed as Python prints a float ("60.0"). */
function time(): string {
  const s = getRunningLoop().time() / 1000
  return Number.isInteger(s) ? s.toFixed(1) : String(s)
}

async function sendStatistic(): Promise<void> {
  console.log(`${time()}: stat`)
}

async function main(): Promise<void> {
  for (let n = 0; ITERATIONS === null || n < ITERATIONS; n++) {
    await sleep(INTERVAL)
    await sendStatistic()
  }
}

await run(main) // запуск короутины используя упрощенный синтаксис
