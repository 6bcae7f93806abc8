import { readFileSync } from 'node:fs'
import { join } from 'node:path'

const DOC = join(import.meta.dirname, '../../docs/agent-protocol.md')

/** The fenced blocks of docs/agent-protocol.md with the given language, in order. */
export function docBlocks(lang: string): string[] {
  const text = readFileSync(DOC, 'utf8')
  const re = new RegExp('```' + lang + '\\n([\\s\\S]*?)```', 'g')
  return [...text.matchAll(re)].map((m) => m[1] as string)
}
