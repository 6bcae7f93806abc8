import * as v from 'valibot'
import { historyPageSchema, retentionPolicySchema } from '../../shared/history-contract'
import { InvalidHistoryInputError, InvalidRunIdError } from './errors'

const clockSchema = v.union([
  v.literal('virtual'),
  v.strictObject({ speed: v.pipe(v.number(), v.finite(), v.gtValue(0)) }),
])

export const startRunSchema = v.object({
  scenario: v.pipe(v.string(), v.trim(), v.minLength(1, 'a scenario id is required')),
  params: v.optional(
    v.pipe(
      v.record(v.string(), v.unknown()),
      v.check((p) => isJson(p), 'params must be JSON-serialisable'),
    ),
    {},
  ),
  clock: clockSchema,
})

export const endRunSchema = v.object({
  outcome: v.picklist(['done', 'failed', 'cancelled', 'interrupted']),
  error: v.nullish(
    v.object({ name: v.string(), message: v.string(), stack: v.nullish(v.string()) }),
  ),
})

export const listRunsSchema = v.optional(
  v.object({
    limit: v.optional(v.pipe(v.number(), v.integer(), v.minValue(1), v.maxValue(10_000)), 100),
    before: v.optional(v.pipe(v.number(), v.integer(), v.minValue(1))),
  }),
  {},
)

/** One page of a run: the contract's schema, so both sides agree on the bounds. */
export const pageSchema = historyPageSchema
export const policySchema = retentionPolicySchema

/** Parses `input` or throws `InvalidHistoryInputError` naming each bad field. */
export function parse<S extends v.GenericSchema>(schema: S, input: unknown, what: string): v.InferOutput<S> {
  const result = v.safeParse(schema, input)
  if (result.success) return result.output
  throw new InvalidHistoryInputError(
    what,
    result.issues.map((i) => ({ path: v.getDotPath(i) ?? '', message: i.message })),
  )
}

/** Returns `value` as a run id or throws `InvalidRunIdError`. */
export function runId(value: unknown): number {
  if (typeof value === 'number' && Number.isSafeInteger(value) && value > 0) return value
  throw new InvalidRunIdError(value)
}

function isJson(value: unknown): boolean {
  try {
    return JSON.stringify(value) !== undefined
  } catch {
    return false
  }
}
