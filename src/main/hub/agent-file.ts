import { randomBytes } from 'node:crypto'
import { chmod, mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { AGENT_FILE_NAME } from '../../shared/agent-protocol/index'
import type { AgentFile } from '../../shared/agent-protocol/index'

/**
 * Writes agent.json into `dataDir` (created 0700 if missing) with mode 0600, atomically: a temp
 * file in the same dir, then a rename, so an agent never reads half a file.
 */
export async function writeAgentFile(dataDir: string, contents: AgentFile): Promise<string> {
  await mkdir(dataDir, { recursive: true, mode: 0o700 })
  const path = join(dataDir, AGENT_FILE_NAME)
  const tmp = join(dataDir, `.${AGENT_FILE_NAME}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`)
  try {
    await writeFile(tmp, `${JSON.stringify(contents)}\n`, { mode: 0o600, flag: 'wx' })
    // The umask can only take bits away from 0600, but say it explicitly: the token is a secret.
    await chmod(tmp, 0o600)
    await rename(tmp, path)
  } catch (err) {
    await rm(tmp, { force: true })
    throw err
  }
  return path
}

/** Removes agent.json if it still holds this start's token (a newer hub may have replaced it). */
export async function removeAgentFile(dataDir: string, token: string): Promise<void> {
  const path = join(dataDir, AGENT_FILE_NAME)
  let text: string
  try {
    text = await readFile(path, 'utf8')
  } catch {
    return
  }
  let held: unknown
  try {
    held = (JSON.parse(text) as { token?: unknown }).token
  } catch {
    held = null
  }
  if (held === token) await rm(path, { force: true })
}
