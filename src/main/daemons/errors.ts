/** Why a daemon command was refused. Nothing was started or changed. */
export type DaemonErrorCode = 'unknown-daemon' | 'invalid-config' | 'already-running' | 'shut-down'

export class DaemonError extends Error {
  override name = 'DaemonError'
  constructor(
    readonly code: DaemonErrorCode,
    message: string,
    readonly issues: { path: string; message: string }[] = [],
  ) {
    super(message)
  }
}
