// Bounded building blocks every message schema uses. Each limit is stated once, here, beside the
// schema that enforces it.
import * as v from 'valibot'

/** Loop-clock and wall ms: finite, within ±10^15 ms (about 31,000 years). */
export const MAX_TIME_MS = 1e15
/** A name a person reads (task, process, error class). */
export const MAX_NAME_LENGTH = 200
/** A loop label (`run-1`, `daemons`, `main`). */
export const MAX_LABEL_LENGTH = 100
/** A reason or a short description (cancel reason, bye reason, await text). */
export const MAX_TEXT_LENGTH = 500
/** An error code: snake_case, short. */
export const MAX_CODE_LENGTH = 64
/** A printed line: longer lines are cut by the agent before sending. */
export const MAX_LOG_LINE_LENGTH = 10_000
/** Clock rates (loop ms per wall ms). */
export const MAX_CLOCK_RATE = 1e6

export const taskId = v.pipe(v.number(), v.safeInteger(), v.minValue(0))
export const count = v.pipe(v.number(), v.safeInteger(), v.minValue(0))
export const time = v.pipe(v.number(), v.finite(), v.minValue(-MAX_TIME_MS), v.maxValue(MAX_TIME_MS))
export const name = v.pipe(v.string(), v.maxLength(MAX_NAME_LENGTH))
export const loopLabel = v.pipe(v.string(), v.minLength(1), v.maxLength(MAX_LABEL_LENGTH))
export const text = v.pipe(v.string(), v.maxLength(MAX_TEXT_LENGTH))
export const code = v.pipe(v.string(), v.minLength(1), v.maxLength(MAX_CODE_LENGTH), v.regex(/^[a-z][a-z0-9_]*$/))
export const rate = v.pipe(v.number(), v.finite(), v.gtValue(0), v.maxValue(MAX_CLOCK_RATE))
/** A command id: the hub numbers its commands 1, 2, … per connection. */
export const commandId = v.pipe(v.number(), v.safeInteger(), v.minValue(1))

/** `{ code, message }`: every error and refusal on the wire. */
export const errorInfo = v.strictObject({ code, message: text })
export type WireError = v.InferOutput<typeof errorInfo>
