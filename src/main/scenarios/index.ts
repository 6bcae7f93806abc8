import { asyncContextManager } from './programs/async-context-manager'
import { asyncIterator } from './programs/async-iterator'
import { awaitables } from './programs/awaitables'
import { firstException } from './programs/first-exception'
import { gatherRandomSleep } from './programs/gather-random-sleep'
import { gracefulCancel } from './programs/graceful-cancel'
import { httpContextManager } from './programs/http-context-manager'
import { runNonCoroutine } from './programs/run-non-coroutine'
import { statsDaemon } from './programs/stats-daemon'
import { statsDaemonRun } from './programs/stats-daemon-run'
import { usersCsv } from './programs/users-csv'
import { waitAllCompleted } from './programs/wait-all-completed'
import { waitFirstCompleted } from './programs/wait-first-completed'
import { waitForTimeout } from './programs/wait-for-timeout'
import { workersHeartbeat } from './programs/workers-heartbeat'
import { load } from './load'
import { deadlockScenarios } from './deadlocks'
import { blocking } from './blocking'
import type { ScenarioDefinition } from './types'

export type * from './types'
export { createScenarioRun } from './run-scenario'
export { ParamsError, formatIssues, parseParams, type ParamIssue, type ParseParamsResult } from './params'

/** The course's programs, in course order. */
export const scenarios: readonly ScenarioDefinition[] = [
  runNonCoroutine,
  usersCsv,
  statsDaemon,
  statsDaemonRun,
  workersHeartbeat,
  awaitables,
  gatherRandomSleep,
  waitAllCompleted,
  waitFirstCompleted,
  waitForTimeout,
  gracefulCancel,
  firstException,
  asyncIterator,
  asyncContextManager,
  httpContextManager,
]

/** Scenarios that are no course program (the `load` generator, `blocking`, the deadlock demos): runnable and listed after the course's. */
export const toolScenarios: readonly ScenarioDefinition[] = [load as unknown as ScenarioDefinition, blocking as unknown as ScenarioDefinition, ...(deadlockScenarios as unknown as ScenarioDefinition[])]

/** Everything a window or `loopwatch scenario` can run: the course's programs, then the tools. */
export const runnableScenarios: readonly ScenarioDefinition[] = [...scenarios, ...toolScenarios]

const byId = new Map(runnableScenarios.map((s) => [s.id, s]))

/** The scenario (course program or tool) with this id, or undefined. */
export function getScenario(id: string): ScenarioDefinition | undefined {
  return byId.get(id)
}

/** Every scenario id, in course order. */
export const scenarioIds: readonly string[] = scenarios.map((s) => s.id)
