import { type CliIo, runScenarioCli } from './run-cli'

/**
 * `loopwatch scenario …` (also `npm run scenario -- …`) as a process: the scenario CLI with Ctrl-C
 * wired — the first SIGINT or SIGTERM stops the run gracefully (cleanups run), a second SIGINT
 * quits at once. Resolves with the exit status.
 */
export async function scenarioCommand(argv: readonly string[], io: CliIo): Promise<number> {
  let stopping = false
  return runScenarioCli(argv, io, {
    onRun(run, graceMs) {
      const stop = (signal: NodeJS.Signals) => {
        if (stopping) {
          if (signal === 'SIGINT') process.exit(130)
          return
        }
        stopping = true
        io.err(`scenario: stopping — every task cancelled, ${graceMs} ms for cleanup (Ctrl-C again to quit)`)
        void run.stop(graceMs)
      }
      process.on('SIGINT', stop)
      process.on('SIGTERM', stop)
    },
  })
}
