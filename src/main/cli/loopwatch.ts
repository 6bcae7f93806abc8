// `loopwatch <command> …` (bin/loopwatch.mjs, `npx loopwatch …` in a clone). Each command is one
// entry of COMMANDS: add a command by adding an entry.
import { existsSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { HOST_OPTIONS_USAGE, parseHostArgs } from '../app/host-args'
import { ShutdownTrigger } from '../app/shutdown-signals'
import { STATIC_DIR, serveWebHost } from '../host-web/serve'
import { buildRenderer } from './build-renderer'
import type { CliIo } from './printer'
import { RUN_USAGE, runCommand } from './run-command'
import { scenarioCommand } from './scenario-command'
import { WORKER_USAGE, workerCommand } from './worker-command'
import { PRODUCE_USAGE, produceCommand } from './produce-command'

const ROOT = resolve(import.meta.dirname, '../../..')

export interface Command {
  /** One line for `loopwatch --help`. */
  summary: string
  usage: string
  /** Runs the command; resolves with the process's exit status. */
  run(argv: readonly string[], io: CliIo): Promise<number>
}

/** A command line that cannot run: exit 2 with the message and the command's usage. */
class UsageError extends Error {}

export const COMMANDS: Record<string, Command> = {
  serve: {
    summary: 'the browser host: HTTP + WebSocket on 127.0.0.1, prints its URL; Ctrl-C / SIGTERM shut it down gracefully',
    usage: `usage: loopwatch serve [--port N] [--data-dir D] [--grace-ms M] [--daemon-rate R] [--build]

${HOST_OPTIONS_USAGE}
  --build           rebuild the renderer first (default: only when out/renderer is missing)`,
    run: serve,
  },
  scenario: {
    summary: 'one program of the course, headless (--list lists them)',
    usage: 'usage: loopwatch scenario <id> [--virtual | --speed N] [--json] [--params <json>] … (loopwatch scenario --help)',
    run: (argv, io) => scenarioCommand(argv, io),
  },
  run: {
    summary: 'your own program (.ts/.mts/.js/.mjs, importing from \'loopwatch\'), in a child process, shown in the app',
    usage: RUN_USAGE,
    run: (argv, io) => runCommand(argv, io),
  },
  worker: { summary: 'a BullMQ worker process on Redis: each job a task, shown in the app', usage: WORKER_USAGE, run: (argv, io) => workerCommand(argv, io) },
  produce: { summary: 'adds N jobs to the BullMQ queue (for `loopwatch worker`)', usage: PRODUCE_USAGE, run: (argv, io) => produceCommand(argv, io) },
}

function usage(): string {
  const names = Object.keys(COMMANDS)
  const width = Math.max(...names.map((n) => n.length)) + 2
  return [
    'usage: loopwatch <command> [options]',
    '',
    ...names.map((n) => `  ${n.padEnd(width)}${COMMANDS[n]!.summary}`),
    '',
    'loopwatch <command> --help shows its options.',
  ].join('\n')
}

/**
 * Runs `loopwatch <argv>` and resolves with the exit status: the command's own, 2 for a command
 * line it cannot run (unknown command or option), 0 for `--help`.
 *
 * @example process.exit(await loopwatch(['serve', '--port', '0'], io))
 */
export async function loopwatch(argv: readonly string[], io: CliIo): Promise<number> {
  const [name, ...rest] = argv
  if (name === undefined) {
    io.err(usage())
    return 2
  }
  if (name === '--help' || name === '-h' || name === 'help') {
    io.out(usage())
    return 0
  }
  const command = Object.hasOwn(COMMANDS, name) ? COMMANDS[name] : undefined
  if (!command) {
    io.err(`loopwatch: unknown command ${JSON.stringify(name)}`)
    io.err(usage())
    return 2
  }
  try {
    return await command.run(rest, io)
  } catch (error) {
    if (!(error instanceof UsageError)) throw error
    io.err(`loopwatch ${name}: ${error.message}`)
    io.err(command.usage)
    return 2
  }
}

async function serve(argv: readonly string[], io: CliIo): Promise<number> {
  if (argv.includes('--help') || argv.includes('-h')) {
    io.out(COMMANDS['serve']!.usage)
    return 0
  }
  const build = argv.includes('--build')
  let args
  try {
    args = parseHostArgs(argv.filter((a) => a !== '--build'), { strict: true })
  } catch (error) {
    throw new UsageError((error as Error).message)
  }
  // Installed before the build, so a Ctrl-C during it is not lost (nor does it kill us half-way).
  const trigger = new ShutdownTrigger({
    onForce: () => {
      io.err('loopwatch: second interrupt, exiting without waiting.')
      process.exit(130)
    },
  })
  try {
    if (build || !existsSync(join(STATIC_DIR, 'index.html'))) {
      if (!build) io.out('loopwatch: building the renderer (out/ is missing)…')
      if (!(await buildRenderer(ROOT, trigger, io))) {
        if (trigger.reason !== null) return 130
        io.err('loopwatch: the renderer did not build (see above).')
        return 1
      }
    }
    return await serveWebHost(args, trigger, io)
  } finally {
    trigger.dispose()
  }
}
