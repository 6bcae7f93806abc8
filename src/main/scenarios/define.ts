import * as v from 'valibot'
import { courseSources, portSources } from './sources.generated'
import type { ScenarioContext, ScenarioDefinition } from './types'

interface ScenarioSpec<P> {
  id: string
  title: string
  section: string
  description: string
  params: v.GenericSchema<unknown, P>
  run(ctx: ScenarioContext<P>): Promise<void>
}

/**
 * Completes a scenario module's spec with its course and port sources (generated, keyed by id)
 * and its defaults (the schema applied to `{}`), failing at import if a source is missing.
 */
export function defineScenario<P>(spec: ScenarioSpec<P>): ScenarioDefinition<P> {
  const course = courseSources[spec.id]
  const portSource = portSources[spec.id]
  if (!course || portSource === undefined) {
    throw new Error(`scenario ${spec.id}: sources missing, run node scripts/gen-scenario-sources.mjs`)
  }
  return {
    ...spec,
    courseSource: course.code,
    courseOutput: course.output,
    portSource,
    defaults: v.parse(spec.params, {}),
  }
}
