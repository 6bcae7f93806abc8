// An error reply is a few KB at most, whatever the request was: its message and details are
// clipped here, so no schema, handler or module that echoes its input can amplify a request into
// a 28 MB answer.
import type { ErrorInfo } from './contract'

export const ERROR_LIMITS = {
  /** Characters of `message`. */
  maxMessage: 1_000,
  /** Issues kept in `details` (one more entry says how many were left out). */
  maxIssues: 20,
  /** Characters of each issue's path and of its message. */
  maxIssueText: 200,
  /** Characters of `details` once serialised; beyond it the details are replaced by a note. */
  maxDetailsJson: 4_000,
} as const

/** The string cut to `max` characters, with an ellipsis saying it was cut. */
export function clip(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`
}

export interface Issue {
  path: string
  message: string
}

/** At most maxIssues issues, each clipped, plus one that counts the rest. */
export function boundedIssues(issues: readonly Issue[]): Issue[] {
  const kept = issues.slice(0, ERROR_LIMITS.maxIssues).map((i) => ({ path: clip(String(i.path), ERROR_LIMITS.maxIssueText), message: clip(String(i.message), ERROR_LIMITS.maxIssueText) }))
  if (issues.length > kept.length) kept.push({ path: '', message: `… and ${issues.length - kept.length} more issues` })
  return kept
}

function isIssue(x: unknown): x is Issue {
  return typeof x === 'object' && x !== null && typeof (x as Issue).path === 'string' && typeof (x as Issue).message === 'string'
}

/**
 * The error as it may cross the boundary: message clipped; details, when a list of
 * `{ path, message }`, bounded as issues; any details still over maxDetailsJson replaced by a note.
 */
export function boundedError(error: ErrorInfo): ErrorInfo {
  const message = clip(error.message, ERROR_LIMITS.maxMessage)
  if (error.details === undefined) return { code: error.code, message }
  let details: unknown = error.details
  // Only the kept head is inspected: a list of 200,000 issues costs no more than one of 20.
  if (Array.isArray(details)) details = details.slice(0, ERROR_LIMITS.maxIssues).every(isIssue) ? boundedIssues(details as Issue[]) : details.slice(0, ERROR_LIMITS.maxIssues)
  let json: string | undefined
  try {
    json = JSON.stringify(details)
  } catch {
    json = undefined
  }
  if (json === undefined || json.length > ERROR_LIMITS.maxDetailsJson) details = [{ path: '', message: 'details left out: too large to send' }]
  return { code: error.code, message, details }
}
