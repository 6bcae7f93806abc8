// What `loopwatch run` tells its child (one JSON value in an environment variable, read once).
import * as v from 'valibot'

export const RUN_CONFIG_ENV = 'LOOPWATCH_RUN_CONFIG'

const runConfigSchema = v.strictObject({
  /** The program, an absolute path. */
  file: v.string(),
  name: v.string(),
  clock: v.union([v.literal('virtual'), v.literal('real'), v.strictObject({ speed: v.pipe(v.number(), v.finite(), v.gtValue(0)) })]),
  json: v.boolean(),
  app: v.nullable(v.string()),
  noApp: v.boolean(),
  /** Grace of a stop (Ctrl-C, SIGTERM), real ms. */
  graceMs: v.pipe(v.number(), v.minValue(0)),
})
export type RunConfig = v.InferOutput<typeof runConfigSchema>

/** The child's config; a missing or bad one is a bug of the parent, so it throws. */
export function parseRunConfig(text: string | undefined): RunConfig {
  if (text === undefined) throw new Error(`run-child.ts is started by \`loopwatch run\` (${RUN_CONFIG_ENV} is not set)`)
  return v.parse(runConfigSchema, JSON.parse(text))
}
