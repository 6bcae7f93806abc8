import type { HeartbeatConfig, JobsConfig, StatsConfig } from './config'
import { startHeartbeat } from './heartbeat'
import { startJobs } from './jobs'
import { startStats } from './stats'
import type { DaemonContext, DaemonId, RunningDaemon } from './types'

/** A daemon kind: how it is shown and how it starts. */
export interface Definition {
  title: string
  description: string
  start(ctx: DaemonContext, config: Record<string, unknown>): RunningDaemon
}

/** One per id of the shared DAEMON_IDS (the Record type makes a missing or extra one a type error). */
export const definitions: Record<DaemonId, Definition> = {
  stats: {
    title: 'Stats daemon',
    description:
      'Course, Example 2: every interval it samples event-loop delay, task counts, memory and CPU and POSTs them to a collector on 127.0.0.1.',
    start: (ctx, c) => startStats(ctx, c as StatsConfig),
  },
  heartbeat: {
    title: 'Heartbeat workers',
    description: 'Course, "Task": N workers, each printing a heartbeat every second, forever.',
    start: (ctx, c) => startHeartbeat(ctx, c as HeartbeatConfig),
  },
  jobs: {
    title: 'Job workers',
    description:
      'A producer feeds faker orders into a bounded Queue; N workers write each order and its items in one transaction. Stopping loses nothing.',
    start: (ctx, c) => startJobs(ctx, c as JobsConfig),
  },
}

