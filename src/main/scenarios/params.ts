import * as v from 'valibot'
import { PAYLOAD_LIMITS } from '../../shared/payload-limits'
import type { ScenarioDefinition } from './types'

/** One problem with a params object: the field (dotted path, '' for the whole object) and the rule. */
export interface ParamIssue {
  path: string
  message: string
}

export type ParseParamsResult<P> = { ok: true; value: P } | { ok: false; issues: ParamIssue[] }

/** Thrown by `createScenarioRun` when params are invalid; nothing has started. */
export class ParamsError extends Error {
  override readonly name = 'ParamsError'
  constructor(
    readonly scenario: string,
    readonly issues: ParamIssue[],
  ) {
    super(`invalid params for ${scenario}: ${formatIssues(issues)}`)
  }
}

/** "delays.2: must be at least 0 ms; foo: unknown parameter" */
export function formatIssues(issues: ParamIssue[]): string {
  return issues.map((i) => (i.path ? `${i.path}: ${i.message}` : i.message)).join('; ')
}

/**
 * Validates a scenario's params: an omitted key takes its default, an unknown key is an error,
 * and every issue names its field and the rule it broke.
 *
 * @example parseParams(getScenario('graceful-cancel')!, { cancelAfter: 2500 })
 *   // → { ok: true, value: { cancelAfter: 2500 } }
 */
export function parseParams<P>(def: ScenarioDefinition<P>, input: unknown): ParseParamsResult<P> {
  const value = input ?? {}
  // valibot's object schemas accept arrays (their indices become "unknown keys"): refuse them first.
  if (typeof value !== 'object' || Array.isArray(value)) {
    const got = Array.isArray(value) ? 'an array' : JSON.stringify(value) ?? typeof value
    return { ok: false, issues: [{ path: '', message: `params must be a JSON object, got ${got}` }] }
  }
  const result = v.safeParse(def.params, value)
  if (result.success) return { ok: true, value: result.output }
  return {
    ok: false,
    issues: result.issues.map((issue) => ({
      path: (issue.path ?? []).map((item) => String(item.key)).join('.'),
      message: issue.message,
    })),
  }
}

/**
 * A scenario's params object: strict (an unknown key is an issue naming the known ones), with
 * each field's default applied when the key is omitted.
 */
export function paramsObject<E extends v.ObjectEntries>(entries: E) {
  const known = Object.keys(entries).sort()
  return v.strictObject(entries, (issue) =>
    issue.expected === 'never'
      ? `unknown parameter; known: ${known.join(', ') || '(none)'}`
      : `params must be a JSON object, got ${issue.received}`,
  )
}

const typeMessage = (what: string) => (issue: v.BaseIssue<unknown>) =>
  `must be ${what}, got ${issue.received}`

/** A duration in milliseconds (finite, ≥ 0). */
export function millis(defaultMs: number) {
  return v.optional(millisSchema, defaultMs)
}

const millisSchema = v.pipe(
  v.number(typeMessage('a number of milliseconds')),
  v.finite('must be a finite number of milliseconds'),
  v.minValue(0, 'must be at least 0 ms'),
  v.maxValue(1e9, 'must be at most 1e9 ms'),
)

/** A positive duration in milliseconds: a loop interval, where 0 would spin. */
export function positiveMillis(defaultMs: number) {
  return v.optional(
    v.pipe(millisSchema, v.minValue(1, 'must be at least 1 ms')),
    defaultMs,
  )
}

/**
 * The most durations a list takes where each one is a task of its own (gather, wait): what one
 * request can carry (the contract's values per payload), less room for the rest of the request.
 */
export const MAX_TASK_DELAYS = PAYLOAD_LIMITS.maxValues - 1_000

/**
 * A list of durations in milliseconds, one per coroutine of the course: 1 to `max` entries (100 by
 * default; a scenario whose coroutines are each a task of their own can honestly take MAX_TASK_DELAYS).
 */
export function millisList(defaults: number[], max = 100) {
  return v.optional(
    v.pipe(
      v.array(millisSchema, typeMessage('a list of milliseconds')),
      v.minLength(1, 'must list at least one duration'),
      v.maxLength(max, `must list at most ${max} durations`),
    ),
    () => [...defaults],
  )
}

/** How many rounds an endless loop of the course makes; null keeps it endless, as written. */
export function iterations(defaultCount: number) {
  return v.optional(
    v.nullable(
      v.pipe(
        v.number(typeMessage('a whole number of rounds or null (endless)')),
        v.integer('must be a whole number of rounds'),
        v.minValue(0, 'must be at least 0'),
        v.maxValue(1_000_000, 'must be at most 1000000'),
      ),
    ),
    defaultCount,
  )
}

/**
 * Run the course's snippet as written, bug included (false by default, so the default run and
 * its oracle trace are the fixed program's).
 */
export function asWritten() {
  return v.optional(v.boolean(typeMessage('true or false')), false)
}

/** A seed for a deterministic generator (integer). */
export function seed(defaultSeed: number) {
  return v.optional(
    v.pipe(v.number(typeMessage('an integer seed')), v.integer('must be an integer seed'), v.safeInteger('must be a safe integer')),
    defaultSeed,
  )
}

/** True while the round counter `n` is below `count` (null: forever, the course's `while True`). */
export function moreRounds(n: number, count: number | null): boolean {
  return count === null || n < count
}
