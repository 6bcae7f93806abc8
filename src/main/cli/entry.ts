import { loopwatch } from './loopwatch'
import type { CliIo } from './printer'

const io: CliIo = {
  out: (line) => void process.stdout.write(`${line}\n`),
  err: (line) => void process.stderr.write(`${line}\n`),
}

/**
 * Runs `loopwatch <argv>` as this process and exits with its status once the output is flushed
 * (even if a library left a handle open). The entry of bin/loopwatch.mjs and scripts/serve.mjs.
 */
export async function runLoopwatchProcess(argv: readonly string[]): Promise<never> {
  let status = 1
  try {
    status = await loopwatch(argv, io)
  } catch (error) {
    io.err(`loopwatch: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`)
  }
  process.exitCode = status
  await new Promise<void>((done) => process.stdout.write('', () => done()))
  process.exit(status)
}
