import { Faker, base, en } from '@faker-js/faker'
import { isAbsolute, normalize, resolve } from 'node:path'
import * as v from 'valibot'
import { sleep } from '../../runtime/index'
import { defineScenario } from '../define'
import { paramsObject, seed } from '../params'
import { CsvDictWriter } from '../python/csv-dict-writer'
import type { ScenarioContext } from '../types'

const params = paramsObject({
  path: v.optional(
    v.nullable(
      v.pipe(
        v.string((issue) => `must be a relative file path or null, got ${issue.received}`),
        v.nonEmpty('must not be empty'),
        v.check(
          (p) => !isAbsolute(p) && !normalize(p).split(/[\\/]/).includes('..'),
          "must stay inside the run's output folder (a relative path without '..')",
        ),
      ),
    ),
    null,
  ),
  seed: seed(0),
})
type Params = v.InferOutput<typeof params>

interface User {
  id: number
  name: string
  email: string
}

// #region port
async function program({ params, loop, print, outDir, wroteFile }: ScenarioContext<Params>): Promise<void> {
  const fake = new Faker({ locale: [en, base] }) // библиотека нужна для генерации рандомных значений
  fake.seed(params.seed)

  async function requestUsersData(uid: number): Promise<User> {
    await sleep(500)
    return { id: uid, name: fake.person.fullName(), email: fake.internet.exampleEmail() }
  }

  const ids = Array.from({ length: 10 }, (_, i) => i + 1)
  // loop = asyncio.get_event_loop(): the run's loop

  const path = resolve(outDir, params.path ?? 'users.csv') // the course: open("out.csv", "w")
  const writer = new CsvDictWriter(path, ['id', 'name', 'email'])
  wroteFile(path)
  try {
    writer.writeHeader()
    print('wrote header')
    for (const uid of ids) {
      const request = loop.createTask(() => requestUsersData(uid), { name: `request-${uid}` })
      writer.writeRow(await loop.runUntilComplete(request))
      print(`wrote id=${uid}`)
    }
  } finally {
    writer.close()
  }
}
// #endregion port

export const usersCsv = defineScenario({
  id: 'users-csv',
  title: 'Ten sequential run_until_complete requests written to a CSV',
  section: 'Возможности Event Loop на примерах конкретных задач (Пример 1)',
  description:
    'Пример 1: the program asks for ten users one after another, each through ' +
    'loop.run_until_complete() of a 500 ms request, and writes them to a CSV (id,name,email; ' +
    'rows end in \\r\\n, as csv.DictWriter writes them) — here with csv-stringify, to users.csv ' +
    "(or params.path) inside the run's output folder. Faker's names come from a generator " +
    'seeded with params.seed, so a run repeats exactly. The course prints nothing; the port ' +
    "prints 'wrote header' and 'wrote id=N'. The course calls asyncio.get_event_loop() with no " +
    'loop running: accepted silently by 3.11, deprecated in 3.12, an error in 3.14.',
  params,
  run: program,
})
