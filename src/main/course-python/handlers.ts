// The coursePython:* command handlers, each on a payload the contract validated.
import type { Handlers } from '../../shared/contract'
import type { AppCore } from '../app/app-core'

type CoursePythonChannel = 'coursePython:status' | 'coursePython:run' | 'coursePython:list'

/** The coursePython:* handlers, for createHandlers to spread into its table. */
export function coursePythonHandlers(core: AppCore): Pick<Handlers, CoursePythonChannel> {
  return {
    'coursePython:status': () => core.coursePython.status(),
    'coursePython:run': ({ id, clock }) => {
      core.assertAccepting()
      return core.coursePython.run(id, clock)
    },
    'coursePython:list': () => core.coursePython.list(),
  }
}
