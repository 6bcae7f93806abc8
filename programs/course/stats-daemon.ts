// Course program "stats-daemon" (Пример 2): a background daemon — loop.createTask(worker) and
// loop.runForever(); every interval the worker "sends statistics", printing the loop's time.
import { EventLoop, sleep } from 'loopwatch'

const INTERVAL = 60_000 // param interval (ms)
const ITERATIONS: number | null = 3 // param iterations (the course: while True; null: endless)
const AS_WRITTEN = false // param asWritten: true runs the course's bug, time.time() without "import time"

class NameError extends Error {
  override name = 'NameError'
}

// loop = asyncio.get_event_loop(): a loop of our own, on the command line's clock (with --virtual
// the 60 s rounds pass at once).
const loop = new EventLoop()

/** Python's time.time() on the loop's clock, printed as Python prints a float ("60.0"). */
function time(): string {
  const s = loop.time() / 1000
  return Number.isInteger(s) ? s.toFixed(1) : String(s)
}

async function sendStatistic(): Promise<void> {
  // наш "поход" в сторонний сервис
  if (AS_WRITTEN) throw new NameError("name 'time' is not defined")
  console.log(`${time()}: stat`)
}

async function worker(): Promise<void> {
  for (let n = 0; ITERATIONS === null || n < ITERATIONS; n++) {
    await sleep(INTERVAL)
    await sendStatistic()
  }
  loop.stop()
}

loop.createTask(worker, { name: 'worker' }) // добавляем Task в event_loop

await loop.runForever() // навсегда передаем управление программы на обработку task-ов
