/** What went wrong, as a stable string a caller (or the UI) can branch on. */
export type HistoryErrorCode =
  | 'invalid-run-id'
  | 'run-not-found'
  | 'run-already-ended'
  | 'invalid-input'
  | 'invalid-export-format'
  | 'export-too-large'
  | 'schema-too-new'
  | 'unreadable'
  | 'closed'

/** Every error the history module throws on purpose; `code` says which rule was broken. */
export class HistoryError extends Error {
  override name = 'HistoryError'
  constructor(
    readonly code: HistoryErrorCode,
    message: string,
  ) {
    super(message)
  }
}

/** A run id that is not a positive safe integer (a string, 0, 1.5, NaN…): nothing was looked up. */
export class InvalidRunIdError extends HistoryError {
  override name = 'InvalidRunIdError'
  constructor(readonly value: unknown) {
    super('invalid-run-id', `a run id is a positive integer, got ${describe(value)}`)
  }
}

/** A well-formed run id that no run in this database has. */
export class RunNotFoundError extends HistoryError {
  override name = 'RunNotFoundError'
  constructor(readonly runId: number) {
    super('run-not-found', `no run with id ${runId} in the history`)
  }
}

/** Input that failed its schema; `issues` name each field and the rule it broke. */
export class InvalidHistoryInputError extends HistoryError {
  override name = 'InvalidHistoryInputError'
  constructor(
    what: string,
    readonly issues: { path: string; message: string }[],
  ) {
    super('invalid-input', `invalid ${what}: ${issues.map((i) => `${i.path || '(root)'}: ${i.message}`).join('; ')}`)
  }
}

export function describe(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value)
  if (typeof value === 'number' || typeof value === 'bigint' || typeof value === 'boolean') return String(value)
  if (value === null) return 'null'
  if (value === undefined) return 'undefined'
  return Array.isArray(value) ? 'an array' : `a ${typeof value}`
}
