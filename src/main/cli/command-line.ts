// What every `loopwatch <command>` does with its command line before it runs: a refused line prints
// the reason and the usage (exit 2), `--help` prints the usage (exit 0).
import type { CliIo } from './printer'

/** A command line a command refused: its message is shown above the usage. */
export class CommandLineError extends Error {}

/**
 * Parses argv with `parse` (which throws CommandLineError or returns 'help'): the config, or the
 * exit status once the usage has been printed.
 *
 * @example const parsed = parseCommandLine('run', RUN_USAGE, argv, parseRunArgs, io); if (typeof parsed === 'number') return parsed
 */
export function parseCommandLine<T>(command: string, usage: string, argv: readonly string[], parse: (argv: readonly string[]) => T | 'help', io: CliIo): T | number {
  let config: T | 'help'
  try {
    config = parse(argv)
  } catch (error) {
    if (!(error instanceof CommandLineError)) throw error
    io.err(`loopwatch ${command}: ${error.message}`)
    io.err(usage)
    return 2
  }
  if (config === 'help') {
    io.out(usage)
    return 0
  }
  return config
}
