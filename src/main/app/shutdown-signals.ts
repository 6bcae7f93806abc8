// When a host process should shut down gracefully: a signal (Ctrl-C, SIGTERM from a supervisor,
// SIGHUP when the terminal goes), or its parent going away. npm runs scripts through `sh -c`; a
// SIGTERM to npm reaches that shell, which dies without passing it on, and the node process below is
// left running with a new parent. Watching the parent catches that and any other launcher's death.

/** The signals a host treats as "shut down gracefully". */
export const SHUTDOWN_SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const
export type ShutdownSignal = (typeof SHUTDOWN_SIGNALS)[number]

/** How often the parent is checked (a read of `process.ppid`: a syscall, nothing more). */
export const PARENT_POLL_MS = 250
/** A second signal this soon after the first is the same one delivered twice (terminal + parent). */
export const SAME_SIGNAL_MS = 1000

export interface ShutdownTriggerOptions {
  /** Shut down when the parent process changes (default true). */
  watchParent?: boolean
  pollMs?: number
  /** A second, deliberate signal while shutting down (default: exit 130 at once). */
  onForce?: (signal: ShutdownSignal) => void
  /** For tests: the process whose signals and parent are watched. */
  proc?: Pick<NodeJS.Process, 'on' | 'off' | 'ppid'>
  now?: () => number
}

/**
 * Collects every reason to shut down into one trigger, fired once. Listeners added later (the
 * host once it listens) still hear a trigger that fired earlier (during the renderer's build).
 *
 * @example
 * const trigger = new ShutdownTrigger()
 * trigger.on((why) => void shutDownGracefully(why))
 */
export class ShutdownTrigger {
  /** Why the shutdown started (`SIGTERM`, `parent process 123 went away`), or null. */
  reason: string | null = null
  private readonly listeners = new Set<(why: string) => void>()
  private readonly proc: Pick<NodeJS.Process, 'on' | 'off' | 'ppid'>
  private readonly now: () => number
  private readonly handlers = new Map<ShutdownSignal, () => void>()
  private readonly poll: NodeJS.Timeout | null
  private firedAt = 0

  constructor(opts: ShutdownTriggerOptions = {}) {
    this.proc = opts.proc ?? process
    this.now = opts.now ?? Date.now
    const onForce = opts.onForce ?? (() => process.exit(130))
    for (const sig of SHUTDOWN_SIGNALS) {
      const handler = () => {
        if (this.reason === null) this.fire(sig)
        else if (this.now() - this.firedAt >= SAME_SIGNAL_MS && sig !== 'SIGHUP') onForce(sig)
      }
      this.handlers.set(sig, handler)
      this.proc.on(sig, handler)
    }
    const parent = this.proc.ppid
    this.poll =
      opts.watchParent === false || parent <= 1
        ? null
        : setInterval(() => {
            if (this.proc.ppid !== parent) this.fire(`parent process ${parent} went away`)
          }, opts.pollMs ?? PARENT_POLL_MS)
    // Never what keeps the process alive.
    this.poll?.unref()
  }

  /** Calls `cb(why)` once the shutdown starts (soon, if it already has). Returns an unsubscribe. */
  on(cb: (why: string) => void): () => void {
    if (this.reason !== null) {
      const why = this.reason
      queueMicrotask(() => cb(why))
      return () => {}
    }
    this.listeners.add(cb)
    return () => this.listeners.delete(cb)
  }

  /** Starts the shutdown now (a host's own reason, e.g. the window's quit). Later calls do nothing. */
  fire(why: string): void {
    if (this.reason !== null) return
    this.reason = why
    this.firedAt = this.now()
    if (this.poll) clearInterval(this.poll)
    for (const cb of [...this.listeners]) cb(why)
    this.listeners.clear()
  }

  /** Removes the signal handlers and the parent watch. */
  dispose(): void {
    for (const [sig, handler] of this.handlers) this.proc.off(sig, handler)
    this.handlers.clear()
    if (this.poll) clearInterval(this.poll)
    this.listeners.clear()
  }
}
