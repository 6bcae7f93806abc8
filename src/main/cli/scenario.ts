// The headless scenario runner: `npm run scenario -- <id> [--virtual | --speed N] [--json] …`.
import { type CliIo, runScenarioCli } from './run-cli'

const io: CliIo = {
  out: (line) => void process.stdout.write(`${line}\n`),
  err: (line) => void process.stderr.write(`${line}\n`),
}

let stopping = false
const status = await runScenarioCli(process.argv.slice(2), io, {
  onRun(run, graceMs) {
    // First Ctrl-C: a graceful shutdown (cleanups run); a second one quits at once.
    process.on('SIGINT', () => {
      if (stopping) process.exit(130)
      stopping = true
      io.err(`scenario: stopping — every task cancelled, ${graceMs} ms for cleanup (Ctrl-C again to quit)`)
      void run.stop(graceMs)
    })
  },
})
process.exitCode = status
// Leave once output is flushed even if a library left a handle open; unref'd, so it never delays.
setTimeout(() => process.exit(status), 1000).unref()
