// Course program "async-iterator" (Асинхронный итератор): `for await` over a Crowd that calls
// each name, waits until that person answers, then yields the line.
import { run, sleep } from 'loopwatch'

const PEOPLE = ['Andrey', 'Alex', 'Artem', 'Igor'] // param people
const DELAYS = [2000, 3000, 3000, 2000] // param delays (ms, one per person; the course: random.randint(1, 5) s)

class Crowd implements AsyncIterableIterator<string> {
  private i = 0

  constructor(private readonly people: string[]) {}

  [Symbol.asyncIterator](): this {
    return this // __aiter__
  }

  async next(): Promise<IteratorResult<string>> {
    // __anext__
    if (this.i >= this.people.length) return { done: true, value: undefined } // StopAsyncIteration

    const human = this.people[this.i]!
    console.log(`Hey, ${human}!`)

    const ms = DELAYS[this.i]!
    this.i += 1
    await sleep(ms)

    return { done: false, value: `wait for ${human} ${ms / 1000}c` } // a Latin "c", as in the course
  }
}

async function main(): Promise<void> {
  const crowd = new Crowd(PEOPLE)
  for await (const i of crowd) {
    console.log(i)
  }
}

await run(main)
