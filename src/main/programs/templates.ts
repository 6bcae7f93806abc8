// What the editor opens with: a course program's plain TypeScript port (programs/course/<id>.ts),
// or the new-program template (programs/new-program.ts). Read from disk at request time; the
// path is built from a scenario id checked against the scenario list, never from the client.
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { AppError } from '../ipc/app-error'
import type { ProgramTemplate } from '../../shared/program-contract'

export const TEMPLATE_FILE = 'programs/new-program.ts'
export const courseFile = (id: string) => `programs/course/${id}.ts`

/** Used when programs/new-program.ts itself is missing. */
const BUILT_IN = `import { createTask, run, sleep } from 'loopwatch'

async function main(): Promise<void> {
  const worker = createTask(async () => {
    await sleep(1000)
    console.log('worker done')
  }, { name: 'worker' })
  await worker
}

await run(main)
`

/**
 * The editor's starting text for `scenarioId` (a known id; null: a new program). A course program
 * without a port yet opens the template with a one-line comment saying so.
 *
 * @example await programTemplate('graceful-cancel', { root, scenarioIds: ['graceful-cancel'] })
 */
export async function programTemplate(scenarioId: string | null, opts: { root: string; scenarioIds: readonly string[] }): Promise<ProgramTemplate> {
  const template = async (): Promise<ProgramTemplate> => ({ origin: TEMPLATE_FILE, name: 'new-program', source: (await readText(join(opts.root, TEMPLATE_FILE))) ?? BUILT_IN })
  if (scenarioId === null) return template()
  if (!opts.scenarioIds.includes(scenarioId)) throw new AppError('not_found', `no course program ${scenarioId}`)
  const port = await readText(join(opts.root, courseFile(scenarioId)))
  if (port !== null) return { origin: courseFile(scenarioId), name: scenarioId, source: port }
  const t = await template()
  return { ...t, name: scenarioId, source: `// ${scenarioId} has no TypeScript port yet (${courseFile(scenarioId)}): this is the new-program template.\n${t.source}` }
}

async function readText(path: string): Promise<string | null> {
  try {
    return await readFile(path, 'utf8')
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null
    throw e
  }
}
