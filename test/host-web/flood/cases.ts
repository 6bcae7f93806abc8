// The floods of issue 8, one definition for the test and the benchmark (same command before/after).
import type { FloodOptions } from './flood-driver'

const snapshotFrames = (n: number) => Array.from({ length: n }, (_, i) => JSON.stringify({ id: i, channel: 'app:snapshot' }))

export const FLOOD_CASES = {
  /** 10,000 app:snapshot requests at once on one socket, 10,000 live tasks. */
  snapshots: (): FloodOptions => ({ tasks: 10_000, frames: snapshotFrames(10_000), timeoutMs: 60_000 }),
  /** The same from a client that never reads: its replies can only pile up in the host. */
  snapshotsUnread: (): FloodOptions => ({ tasks: 10_000, frames: snapshotFrames(10_000), floodReads: false, timeoutMs: 60_000 }),
  /** 100,000 app:snapshot requests at once on one socket, a small state (100 tasks). */
  manySmall: (): FloodOptions => ({ tasks: 100, frames: snapshotFrames(100_000), timeoutMs: 60_000 }),
  /** 80 scenario:start requests whose params hold 200,000 strings where numbers belong (0.8 MB each). */
  invalidParams: (): FloodOptions => {
    const payload = JSON.stringify({ id: 'gather-random-sleep', clock: 'virtual', params: { delays: Array.from({ length: 200_000 }, () => 'a') } })
    return { tasks: 100, frames: Array.from({ length: 80 }, (_, i) => `{"id":${i},"channel":"scenario:start","payload":${payload}}`), timeoutMs: 60_000 }
  },
}
