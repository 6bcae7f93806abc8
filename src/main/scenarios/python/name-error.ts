/** Python's NameError, for course programs that use a name they never imported (`time`). */
export class NameError extends Error {
  override name = 'NameError'
  /** @example new NameError('time').message // "name 'time' is not defined" */
  constructor(identifier: string) {
    super(`name '${identifier}' is not defined`)
  }
}
