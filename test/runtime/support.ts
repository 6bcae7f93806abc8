/** The runtime suites' one helper: run a program on a virtual clock and record what it says, when. */
import type { Future } from '../../src/main/runtime/index'
import { CancelledError, EventLoop, VirtualClock, getRunningLoop, run } from '../../src/main/runtime/index'

export interface Said {
  /** lines as `<loop ms> <text>` */
  lines: string[]
  say(text: string): void
}

/** A recorder whose lines carry the running loop's time. */
export function recorder(): Said {
  const lines: string[] = []
  return {
    lines,
    say(text: string) {
      lines.push(`${getRunningLoop().time()} ${text}`)
    },
  }
}

/** run(main) on a fresh VirtualClock; returns main's result, the lines said, and the final time. */
export async function runVirtual<T>(main: (s: Said) => Promise<T>): Promise<{ result: T; lines: string[]; clock: VirtualClock }> {
  const clock = new VirtualClock()
  const s = recorder()
  const result = await run(() => main(s), { clock })
  return { result, lines: s.lines, clock }
}

/** A loop on a fresh VirtualClock, for tests that drive it by hand. */
export function virtualLoop(): { loop: EventLoop; clock: VirtualClock } {
  const clock = new VirtualClock()
  return { loop: new EventLoop({ clock }), clock }
}

/** The error a promise rejects with (fails the test if it resolves). */
export async function rejection(p: PromiseLike<unknown>): Promise<unknown> {
  try {
    await p
  } catch (e) {
    return e
  }
  throw new Error('expected a rejection, but it resolved')
}

/** The source of the CancelledError a cancelled future holds (null if it is not cancelled). */
export function cancelSourceOf(f: Future<unknown>): string | null {
  if (!f.cancelled()) return null
  try {
    f.result()
  } catch (e) {
    if (e instanceof CancelledError) return e.source
  }
  return null
}
