import { ShutdownTrigger } from '../app/shutdown-signals'
import { type CliIo, runScenarioCli } from './run-cli'

/**
 * `loopwatch scenario …` (also `npm run scenario -- …`) as a process: the scenario CLI with its
 * shutdown wired as the browser host's is — Ctrl-C, SIGTERM, SIGHUP or the parent going away stop
 * the run gracefully (cleanups run, exit 130); a second Ctrl-C a second later quits at once.
 */
export async function scenarioCommand(argv: readonly string[], io: CliIo): Promise<number> {
  const trigger = new ShutdownTrigger({ onForce: () => process.exit(130) })
  try {
    return await runScenarioCli(argv, io, {
      onRun(run, graceMs) {
        trigger.on((why) => {
          io.err(`scenario: ${why}: stopping — every task cancelled, ${graceMs} ms for cleanup (Ctrl-C again to quit)`)
          void run.stop(graceMs)
        })
      },
    })
  } finally {
    trigger.dispose()
  }
}
