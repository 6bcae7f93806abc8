// What a `loopwatch produce` job carries and what a `loopwatch worker` returns for it. Job data
// comes out of Redis, which anyone with its address can write: it is checked before it runs.
import * as v from 'valibot'

export const fleetJobSchema = v.strictObject({
  /** Position in its producer's batch. */
  n: v.pipe(v.number(), v.integer(), v.minValue(0)),
  /** Work time of the job (a sleep of the worker's runtime). */
  ms: v.optional(v.pipe(v.number(), v.integer(), v.minValue(0), v.maxValue(60_000)), 0),
  /** When set, the job throws this message (to see the failed set). */
  fail: v.optional(v.pipe(v.string(), v.maxLength(500))),
})
export type FleetJob = v.InferOutput<typeof fleetJobSchema>

/** A job's return value, as BullMQ stores it. */
export interface FleetResult {
  n: number
  /** `worker <pid>` that finished it. */
  worker: string
  attempt: number
}

/** A job whose data is not a FleetJob: it fails with this, naming what is wrong. */
export class BadJobData extends Error {
  override readonly name = 'BadJobData'
  readonly code = 'bad-job-data'
}

/** Checks a job's data; throws BadJobData naming the first problem. */
export function parseFleetJob(data: unknown): FleetJob {
  const r = v.safeParse(fleetJobSchema, data)
  if (r.success) return r.output
  const i = r.issues[0]
  throw new BadJobData(`bad job data: ${v.getDotPath(i) ?? '(root)'}: ${i.message}`)
}
