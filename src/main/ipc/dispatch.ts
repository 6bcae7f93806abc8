import { isChannel, parsePayload } from '../../shared/contract'
import type { Channel, Handlers, Result } from '../../shared/contract'
import { AppError, toErrorInfo } from './app-error'

/** Optional hook for logging failures that are main's fault ('internal'). */
export type InternalErrorLog = (channel: string, error: unknown) => void

/**
 * Runs one command from a renderer: checks the channel, validates the payload against the
 * contract, calls the handler, and converts whatever happens into a Result. It never throws and
 * never rejects, so nothing a renderer sends can crash main; a rejected request changes nothing
 * because handlers only ever see validated payloads.
 *
 * @example await dispatch(handlers, 'task:cancel', { taskId: 7 }) // { ok: true, value: {...} }
 */
export async function dispatch(
  handlers: Handlers,
  channel: unknown,
  payload: unknown,
  logInternal: InternalErrorLog = defaultLog,
): Promise<Result<unknown>> {
  if (!isChannel(channel)) {
    const shown = typeof channel === 'string' ? JSON.stringify(channel.slice(0, 100)) : typeof channel
    return { ok: false, error: { code: 'unknown_channel', message: `unknown channel ${shown}` } }
  }
  const parsed = parsePayload(channel, payload)
  if (!parsed.ok) return parsed
  try {
    const handler = handlers[channel] as (p: unknown) => unknown
    return { ok: true, value: await handler(parsed.value) }
  } catch (e) {
    const error = toErrorInfo(e)
    if (error.code === 'internal') logInternal(channel, e)
    return { ok: false, error }
  }
}

function defaultLog(channel: string, error: unknown): void {
  console.error(`loopwatch: ${channel} failed:`, error)
}

/** Throws not_found unless the value exists. */
export function found<T>(value: T | null | undefined, what: string): T {
  if (value === null || value === undefined) throw new AppError('not_found', `no ${what}`)
  return value
}

export type { Channel }
