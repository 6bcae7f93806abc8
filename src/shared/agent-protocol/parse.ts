// Reading one line of the wire into a typed message, or a short typed error. Used by the hub for
// agent lines and by the agent for hub lines.
import * as v from 'valibot'
import { clip as clipTo } from '../error-limits'
import { agentMessageSchemas } from './agent-messages'
import type { AgentMessage } from './agent-messages'
import { hubMessageSchemas } from './hub-messages'
import type { HubMessage } from './hub-messages'

/** Error text sent back is cut to this many characters: it never echoes a hostile line at length. */
export const MAX_ERROR_TEXT = 300

export type ParseOutcome<M> = { ok: true; message: M } | { ok: false; error: { code: 'bad_json' | 'bad_message'; message: string } }

/** Cuts `s` to `max` characters (the protocol's error length by default), marking the cut. */
export function clip(s: string, max = MAX_ERROR_TEXT): string {
  return clipTo(s, max)
}

/**
 * Parses one line against a table of schemas keyed by `type`. Costs one JSON.parse and one schema
 * walk that stops at the first issue; the error names the type and the failing path, clipped.
 *
 * @example parseLine(agentMessageSchemas, '{"type":"ping","id":1}') // { ok: true, message: { type: 'ping', id: 1 } }
 */
export function parseLine<M>(table: Readonly<Record<string, v.GenericSchema>>, line: string): ParseOutcome<M> {
  let raw: unknown
  try {
    raw = JSON.parse(line)
  } catch {
    return { ok: false, error: { code: 'bad_json', message: 'the line is not valid JSON' } }
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    return { ok: false, error: { code: 'bad_json', message: 'a message is a JSON object with a "type"' } }
  }
  const type = (raw as { type?: unknown }).type
  if (typeof type !== 'string' || !Object.hasOwn(table, type)) {
    const shown = typeof type === 'string' ? JSON.stringify(clip(type, 40)) : typeof type
    return { ok: false, error: { code: 'bad_message', message: `unknown message type ${shown}; expected one of ${Object.keys(table).join(', ')}` } }
  }
  const parsed = v.safeParse(table[type] as v.GenericSchema, raw, { abortEarly: true })
  if (parsed.success) return { ok: true, message: parsed.output as M }
  const issue = parsed.issues[0]
  const path = v.getDotPath(issue) ?? ''
  return { ok: false, error: { code: 'bad_message', message: clip(`${type}${path ? `.${path}` : ''}: ${issue.message}`) } }
}

/** Parses a line an agent sent. */
export function parseAgentLine(line: string): ParseOutcome<AgentMessage> {
  return parseLine<AgentMessage>(agentMessageSchemas, line)
}

/** Parses a line the hub sent. */
export function parseHubLine(line: string): ParseOutcome<HubMessage> {
  return parseLine<HubMessage>(hubMessageSchemas, line)
}
