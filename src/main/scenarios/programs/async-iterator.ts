import * as v from 'valibot'
import { sleep } from '../../runtime/index'
import { defineScenario } from '../define'
import { millisList, paramsObject } from '../params'
import { pyNumber } from '../python/repr'
import type { ScenarioContext } from '../types'

const params = v.pipe(
  paramsObject({
    people: v.optional(
      v.pipe(
        v.array(
          v.pipe(v.string((issue) => `must list names (strings), got ${issue.received}`), v.nonEmpty('must not hold an empty name')),
          (issue) => `must be a list of names, got ${issue.received}`,
        ),
        v.maxLength(100, 'must list at most 100 people'),
      ),
      () => ['Andrey', 'Alex', 'Artem', 'Igor'],
    ),
    delays: millisList([2000, 3000, 3000, 2000]),
  }),
  v.forward(
    v.partialCheck(
      [['people'], ['delays']],
      (p) => p.delays.length >= p.people.length,
      'must hold one delay per person',
    ),
    ['delays'],
  ),
)
type Params = v.InferOutput<typeof params>

// #region port
async function program({ params, print, run }: ScenarioContext<Params>): Promise<void> {
  class Crowd implements AsyncIterator<string>, AsyncIterable<string> {
    private i = 0

    constructor(private readonly people: string[]) {}

    [Symbol.asyncIterator](): this {
      return this
    }

    async next(): Promise<IteratorResult<string>> {
      if (this.i >= this.people.length) return { done: true, value: undefined } // StopAsyncIteration

      const human = this.people[this.i]!
      print(`Hey, ${human}!`)

      const ms = params.delays[this.i]! // the course: random.randint(1, 5)
      this.i += 1
      await sleep(ms)

      return { done: false, value: `wait for ${human} ${pyNumber(ms / 1000)}c` }
    }
  }

  async function main(): Promise<void> {
    const crowd = new Crowd(params.people)
    for await (const i of crowd) {
      print(i)
    }
  }

  await run(main)
}
// #endregion port

export const asyncIterator = defineScenario({
  id: 'async-iterator',
  title: 'async for over a Crowd that calls names and waits',
  section: 'Асинхронный итератор',
  description:
    'An asynchronous iterator (__aiter__/__anext__; in JS, Symbol.asyncIterator and next()): ' +
    'each step calls out a name, waits until that person answers, then yields the line. The ' +
    "course's random.randint(1, 5) s waits are params.delays (ms, one per person); the default " +
    "reproduces the course's output. The line ends in a Latin \"c\" as in the course, and whole " +
    'seconds print without ".0".',
  params,
  run: program,
})
