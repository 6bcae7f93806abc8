// How the app starts the course's Python as its child: `python -c BOOT [agent options] file.py`,
// the agent's own main (pythonCommand, as `loopwatch run prog.py` builds it, `--role child` and
// `--step-timing` included: a learner's program gets slow steps and task:timing) behind the one thing only an app child needs, which the Python agent does not do by
// itself: the app holds the write end of its stdin, so when the app dies — even killed — stdin
// ends and the child kills itself (the Node children's exit-with-parent.ts, in Python).
import { spawn } from 'node:child_process'
import type { ChildProcessByStdio } from 'node:child_process'
import { dirname, join } from 'node:path'
import type { Readable, Writable } from 'node:stream'
import { pythonCommand } from '../cli/run-command'
import type { RunConfig } from '../cli/run-config'
import { repoRoot } from '../programs/repo-root'

/**
 * The bootstrap. os.read on fd 0 (not sys.stdin) so that a blocked read holds no buffered-reader
 * lock the interpreter's shutdown would wait on.
 */
export const BOOT = `
import os, signal, threading

def _exit_with_parent():
    try:
        while os.read(0, 65536):
            pass
    except OSError:
        pass
    os.kill(os.getpid(), signal.SIGKILL)

threading.Thread(target=_exit_with_parent, name="loopwatch-exit-with-parent", daemon=True).start()

import runpy
runpy.run_module("loopwatch_agent", run_name="__main__", alter_sys=True)
`

/**
 * A spawner for ProgramRuns: runs `cfg.file` under `python` with the agent, in the file's own
 * private folder (the course's users-csv writes out.csv where it runs). `agentOptions` go before
 * the file (e.g. `--stop-at 1500`).
 */
export function pythonChildSpawner(python: string, agentOptions: (cfg: RunConfig) => readonly string[] = () => []) {
  const agentDir = join(repoRoot(), 'agents/python')
  return (cfg: RunConfig): ChildProcessByStdio<Writable, Readable, Readable> => {
    const cmd = pythonCommand(cfg, python, { agentDir, entry: ['-c', BOOT, ...agentOptions(cfg)] })
    return spawn(cmd.cmd, cmd.args, { cwd: dirname(cfg.file), env: cmd.env, stdio: ['pipe', 'pipe', 'pipe'] })
  }
}
