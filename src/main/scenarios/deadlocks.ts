import * as v from 'valibot'
import { Event, Lock, Queue, type Task, createTask, gather, sleep } from '../runtime/index'
import { paramsObject } from './params'
import type { ScenarioContext, ScenarioDefinition } from './types'

// Four programs that never finish, one per kind of deadlock the window flags (issue 11 §2). Each
// gets stuck after 100 ms of loop time and stays stuck until it is stopped.

const params = paramsObject({})
type Params = v.InferOutput<typeof params>
const SECTION = 'Взаимоблокировки (не из курса)'

async function cycle({ print, run }: ScenarioContext<Params>): Promise<void> {
  async function main(): Promise<void> {
    let bob!: Task<void>
    const alice = createTask(async function alice() {
      await sleep(100)
      print('alice: waiting for bob to finish')
      await bob
    }, { name: 'alice' })
    bob = createTask(async function bob() {
      await sleep(100)
      print('bob: waiting for alice to finish')
      await alice
    }, { name: 'bob' })
    await gather([alice, bob])
  }
  await run(main)
}

async function stuckLock({ print, run }: ScenarioContext<Params>): Promise<void> {
  async function main(): Promise<void> {
    const lock = new Lock({ name: 'db' })
    const careless = createTask(async function careless() {
      await lock.acquire()
      print('careless: got the lock; returns without release()')
    }, { name: 'careless' })
    await careless
    await sleep(100)
    const workers = [1, 2, 3].map((n) =>
      createTask(async function worker() {
        await lock.acquire()
        try {
          print(`worker-${n}: got the lock`)
        } finally {
          lock.release()
        }
      }, { name: `worker-${n}` }),
    )
    await gather(workers)
  }
  await run(main)
}

async function stuckEvent({ print, run }: ScenarioContext<Params>): Promise<void> {
  async function main(): Promise<void> {
    const ready = new Event({ name: 'ready' })
    const loader = createTask(async function loader() {
      await sleep(100)
      print('loader: config file missing, giving up before ready.set()')
    }, { name: 'loader' })
    const waiters = [1, 2, 3].map((n) =>
      createTask(async function waiter() {
        await ready.wait()
        print(`waiter-${n}: ready`)
      }, { name: `waiter-${n}` }),
    )
    await loader
    await gather(waiters)
  }
  await run(main)
}

async function stuckQueue({ print, run }: ScenarioContext<Params>): Promise<void> {
  async function main(): Promise<void> {
    const jobs = new Queue<number>(0, { name: 'jobs' })
    const producer = createTask(async function producer() {
      for (let i = 1; i <= 4; i++) {
        await sleep(25)
        await jobs.put(i)
      }
      print('producer: put 4 jobs and ended (no stop signal for the consumers)')
    }, { name: 'producer' })
    const consumers = [1, 2].map((n) =>
      createTask(async function consumer() {
        for (;;) {
          const job = await jobs.get()
          print(`consumer-${n}: job ${job}`)
          jobs.taskDone()
        }
      }, { name: `consumer-${n}` }),
    )
    await producer
    await gather(consumers)
  }
  await run(main)
}

function define(id: string, title: string, description: string, courseSource: string, program: (ctx: ScenarioContext<Params>) => Promise<void>): ScenarioDefinition<Params> {
  return { id, title, section: SECTION, description, courseSource, courseOutput: null, portSource: program.toString(), params, defaults: v.parse(params, {}), run: program }
}

/** `deadlock-cycle`: two tasks awaiting each other. */
export const deadlockCycle = define(
  'deadlock-cycle',
  'deadlock-cycle: two tasks awaiting each other',
  'Not from the course: alice awaits bob and bob awaits alice; main awaits both with gather. ' +
    'Nothing can ever finish: the window flags an await cycle. Stop the run to end it.',
  ['import asyncio', '', 'async def main():', '    async def alice(): await asyncio.sleep(0.1); await b', '    async def bob(): await asyncio.sleep(0.1); await a',
    '    a = asyncio.create_task(alice()); b = asyncio.create_task(bob())', '    await asyncio.gather(a, b)', '', 'asyncio.run(main())'].join('\n'),
  cycle,
)

/** `stuck-lock`: a lock acquired by a task that ends without releasing it. */
export const stuckLockScenario = define(
  'stuck-lock',
  'stuck-lock: a lock its holder never released',
  'Not from the course: careless acquires the Lock "db" and returns without release(); three ' +
    'workers then wait to acquire it forever. The window flags the lock held by an ended task.',
  ['import asyncio', '', 'async def main():', '    db = asyncio.Lock()', '    async def careless(): await db.acquire()', '    await asyncio.create_task(careless())',
    '    async def worker():', '        async with db: pass', '    await asyncio.gather(*(worker() for _ in range(3)))', '', 'asyncio.run(main())'].join('\n'),
  stuckLock,
)

/** `stuck-event`: an Event the only task that would set it never sets. */
export const stuckEventScenario = define(
  'stuck-event',
  'stuck-event: an event nobody is left to set',
  'Not from the course: three waiters wait on the Event "ready"; the loader that should set it ' +
    'gives up and ends. Every live task then waits: the window flags an event no live task can set.',
  ['import asyncio', '', 'async def main():', '    ready = asyncio.Event()', '    async def loader(): await asyncio.sleep(0.1)  # forgets ready.set()',
    '    waiters = [asyncio.create_task(ready.wait()) for _ in range(3)]', '    await loader()', '    await asyncio.gather(*waiters)', '', 'asyncio.run(main())'].join('\n'),
  stuckEvent,
)

/** `stuck-queue`: consumers waiting on a queue whose producer ended. */
export const stuckQueueScenario = define(
  'stuck-queue',
  'stuck-queue: consumers of a queue with no producer left',
  'Not from the course: the producer puts 4 jobs into the Queue "jobs" and ends without a stop ' +
    'signal; two consumers then wait in get() forever. The window flags a queue with no live producer.',
  ['import asyncio', '', 'async def main():', '    jobs = asyncio.Queue()', '    async def producer():', '        for i in range(4): await jobs.put(i)',
    '    async def consumer():', '        while True: await jobs.get(); jobs.task_done()', '    cs = [asyncio.create_task(consumer()) for _ in range(2)]',
    '    await producer()', '    await asyncio.gather(*cs)', '', 'asyncio.run(main())'].join('\n'),
  stuckQueue,
)

/** The four, in the order the issue lists them. */
export const deadlockScenarios: readonly ScenarioDefinition<Params>[] = [deadlockCycle, stuckLockScenario, stuckEventScenario, stuckQueueScenario]
