// Course program "users-csv" (Пример 1): ten requests one after another, each through
// loop.runUntilComplete() of a 500 ms task, written to a CSV as Python's csv.DictWriter writes it.
import { closeSync, openSync, writeSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Faker, base, en } from '@faker-js/faker'
import { stringify } from 'csv-stringify/sync'
import { EventLoop, sleep } from 'loopwatch'

const PATH = join(tmpdir(), 'users.csv') // param path (the course: open("out.csv", "w"))
const SEED = 0 // param seed: Faker's names repeat exactly from run to run

const fake = new Faker({ locale: [en, base] }) // библиотека нужна для генерации рандомных значений
fake.seed(SEED)

interface User {
  id: number
  name: string
  email: string
}

async function requestUsersData(uid: number): Promise<User> {
  await sleep(500)
  return { id: uid, name: fake.person.fullName(), email: fake.internet.exampleEmail() }
}

const ids = Array.from({ length: 10 }, (_, i) => i + 1)
// asyncio.get_event_loop(): a loop of our own, on the command line's clock (with --virtual the ten
// requests pass at once).
const loop = new EventLoop()

// csv's default dialect: comma, minimal quoting, rows ending in \r\n
const FIELDS = ['id', 'name', 'email']
const csvRows = (rows: User[], header = false) => stringify(rows, { header, columns: FIELDS, record_delimiter: 'windows' })

const file = openSync(PATH, 'w')
try {
  writeSync(file, csvRows([], true)) // writer.writeheader()
  console.log('wrote header')
  for (const uid of ids) {
    const request = loop.createTask(() => requestUsersData(uid), { name: `request-${uid}` })
    writeSync(file, csvRows([await loop.runUntilComplete(request)]))
    console.log(`wrote id=${uid}`)
  }
} finally {
  closeSync(file)
}
