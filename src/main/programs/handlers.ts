// The editor's command handlers (contract: program:*), each on a payload the contract validated.
import type { Handlers } from '../../shared/contract'
import { programTextOf } from '../history/index'
import { AppError } from '../ipc/app-error'
import type { AppCore } from '../app/app-core'
import { checkProgram } from './check'
import { repoRoot } from './repo-root'
import { programTemplate } from './templates'

type ProgramChannel = 'program:template' | 'program:check' | 'program:run' | 'program:stop' | 'programs:list' | 'program:ofRun'

/** The program:* handlers, for createHandlers to spread into its table. */
export function programHandlers(core: AppCore): Pick<Handlers, ProgramChannel> {
  return {
    'program:template': ({ scenarioId }) => programTemplate(scenarioId, { root: repoRoot(), scenarioIds: core.scenarios().map((s) => s.id) }),
    'program:check': ({ source }) => checkProgram(source),
    'program:run': ({ source, clock, name }) => {
      core.assertAccepting()
      return core.programs.start({ source, clock, name })
    },
    'program:stop': ({ runKey, graceMs }) => core.programs.stop(runKey, graceMs),
    'programs:list': () => core.programs.list(),
    'program:ofRun': ({ runId }) => {
      const stored = programTextOf(core.history.db, runId)
      if (!stored) throw new AppError('not_found', `run ${runId} was not started from the editor: no program text is stored with it`)
      return stored
    },
  }
}
