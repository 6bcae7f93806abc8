// What a command to a connected process answers, in the contract's error codes.
import type { ErrorCode } from '../../shared/contract'
import { AppError } from '../ipc/app-error'
import type { CommandError } from '../hub/index'

const HUB_CODES: Record<string, ErrorCode> = {
  unknown_source: 'not_found',
  unknown_task: 'not_found',
  source_gone: 'invalid_state',
  too_many_pending: 'busy',
  bad_command: 'bad_request',
  // The agent does not know the command (the Python agent has no loop commands): the window's
  // `unsupported`, so it can say the process's agent cannot do this rather than that it failed.
  unknown_command: 'unsupported',
}

/**
 * The AppError for a failed command: the hub's own codes mapped onto the contract's, and anything
 * the agent answered (`already_done`, a timeout, a bad result) as invalid_state naming the process.
 */
export function commandFailure(error: CommandError, what: string): AppError {
  const code = HUB_CODES[error.code] ?? 'invalid_state'
  return new AppError(code, `${what}: ${error.message} (${error.code})`)
}
