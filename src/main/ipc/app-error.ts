import type { ErrorCode, ErrorInfo } from '../../shared/contract'
import { boundedError } from '../../shared/error-limits'

/** An error a handler throws on purpose: its code and message reach the UI as they are. */
export class AppError extends Error {
  override name = 'AppError'
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details?: unknown,
  ) {
    super(message)
  }
}

// The history and daemons modules' own codes, mapped onto the contract's.
const MODULE_CODES: Record<string, ErrorCode> = {
  'unknown-daemon': 'not_found',
  'invalid-config': 'bad_request',
  'already-running': 'invalid_state',
  'shut-down': 'shutting_down',
  'invalid-run-id': 'bad_request',
  'run-not-found': 'not_found',
  'run-already-ended': 'invalid_state',
  'invalid-input': 'bad_request',
  'invalid-export-format': 'bad_request',
  closed: 'shutting_down',
}

/**
 * Converts anything a handler threw into the `{ code, message, details? }` that crosses IPC.
 * Only deliberate errors keep their message; anything else is 'internal' (its message kept, its
 * stack not: stacks stay in main's log). The result is bounded (a few KB) whatever the thrower
 * echoed: a scenario's params schema lists every bad item of a list, each quoting its input.
 */
export function toErrorInfo(e: unknown): ErrorInfo {
  return boundedError(unboundedErrorInfo(e))
}

function unboundedErrorInfo(e: unknown): ErrorInfo {
  if (e instanceof AppError) return e.details === undefined ? { code: e.code, message: e.message } : { code: e.code, message: e.message, details: e.details }
  if (e instanceof Error) {
    const own = (e as { code?: unknown }).code
    const code = typeof own === 'string' && Object.hasOwn(MODULE_CODES, own) ? MODULE_CODES[own] : undefined
    if (code) {
      const issues = (e as { issues?: unknown }).issues
      return issues === undefined ? { code, message: e.message } : { code, message: e.message, details: issues }
    }
    return { code: 'internal', message: `${e.name}: ${e.message}` }
  }
  return { code: 'internal', message: String(e) }
}
