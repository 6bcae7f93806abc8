// Running CPython with the agent from the tests: real interpreters, real child processes.
import { execFile, execFileSync, spawn } from 'node:child_process'
import type { ChildProcess } from 'node:child_process'
import { existsSync } from 'node:fs'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { homedir, tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { promisify } from 'node:util'
import { onTestFinished } from 'vitest'

export const ROOT = resolve(import.meta.dirname, '../..')
export const AGENT_PATH = join(ROOT, 'agents/python')
export const PIN_PATH = join(ROOT, 'test/python-agent/pin')
/** Debian's interpreter: the one that imports the course's packages (../shared/TOOLCHAIN.md). */
export const DEBIAN_PYTHON = '/usr/bin/python3'

/** The oracle folder: /work/shared/oracle (from a worktree, ../shared/oracle). */
export function oracleDir(): string {
  for (const p of [resolve(ROOT, '../shared/oracle'), resolve(ROOT, '../../shared/oracle'), '/work/shared/oracle']) {
    if (existsSync(join(p, 'compare.py'))) return p
  }
  throw new Error('no shared/oracle folder next to the repository')
}

/** pyenv's 3.12 / 3.13 when present (for the internals tests), else nothing. */
export function extraPythons(): string[] {
  const root = join(homedir(), '.pyenv/versions')
  const found: string[] = []
  for (const minor of ['3.12', '3.13']) {
    try {
      const dirs = execFileSync('ls', [root], { encoding: 'utf8' }).split('\n').filter((d) => d.startsWith(`${minor}.`))
      const bin = dirs[0] ? join(root, dirs[0], 'bin/python3') : null
      if (bin && existsSync(bin)) found.push(bin)
    } catch {
      // no pyenv
    }
  }
  return found
}

/** Null when `python` imports every module, else a one-line reason naming what is missing. */
export function missingModules(python: string, modules: readonly string[]): string | null {
  if (!existsSync(python)) return `${python} is not installed`
  const missing = modules.filter((m) => {
    try {
      execFileSync(python, ['-c', `import ${m}`], { stdio: 'ignore', timeout: 20_000 })
      return false
    } catch {
      return true
    }
  })
  return missing.length ? `${python} cannot import ${missing.join(', ')} (apt: python3-fake-factory python3-aiohttp python3-aioresponses)` : null
}

export interface AgentRun {
  code: number | null
  stdout: string
  stderr: string
}

/** Runs `python -m loopwatch_agent ...args` in `cwd` and waits for it (never rejects). */
export async function runAgent(python: string, args: readonly string[], opts: { cwd: string; env?: Record<string, string>; timeoutMs?: number }): Promise<AgentRun> {
  try {
    const { stdout, stderr } = await promisify(execFile)(python, ['-m', 'loopwatch_agent', ...args], {
      cwd: opts.cwd,
      env: { ...process.env, PYTHONPATH: `${PIN_PATH}:${AGENT_PATH}`, ...opts.env },
      timeout: opts.timeoutMs ?? 30_000,
      maxBuffer: 32 * 1024 * 1024,
    })
    return { code: 0, stdout, stderr }
  } catch (error) {
    const e = error as { code?: number | string; stdout?: string; stderr?: string }
    return { code: typeof e.code === 'number' ? e.code : null, stdout: e.stdout ?? '', stderr: e.stderr ?? '' }
  }
}

/** Starts the agent without waiting (for the hub tests); the caller kills it. */
export function spawnAgent(python: string, args: readonly string[], opts: { cwd: string; env?: Record<string, string> }): ChildProcess {
  return spawn(python, ['-m', 'loopwatch_agent', ...args], {
    cwd: opts.cwd,
    env: { ...process.env, PYTHONPATH: AGENT_PATH, ...opts.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
}

/** compare.py's verdict on a trace: exit status and its output. */
/**
 * Writes `program` as `file` in a fresh folder and runs it there under the agent (`args` before
 * the file), on Debian's Python. Call inside a test: when it finishes the child is killed, if still
 * running, and the folder removed.
 */
export async function spawnProgram(file: string, program: string, args: readonly string[]): Promise<ChildProcess> {
  const dir = await mkdtemp(join(tmpdir(), 'lw-py-'))
  let child: ChildProcess | null = null
  onTestFinished(async () => {
    if (child && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL')
    await rm(dir, { recursive: true, force: true })
  })
  await writeFile(join(dir, file), program)
  child = spawnAgent(DEBIAN_PYTHON, [...args, file], { cwd: dir })
  return child
}

export async function compareTrace(expectedFile: string, actual: string): Promise<{ ok: boolean; output: string }> {
  return new Promise((done) => {
    const child = spawn(DEBIAN_PYTHON, [join(oracleDir(), 'compare.py'), expectedFile, '-'], { stdio: ['pipe', 'pipe', 'pipe'] })
    let output = ''
    child.stdout.on('data', (d: Buffer) => (output += d.toString()))
    child.stderr.on('data', (d: Buffer) => (output += d.toString()))
    child.on('close', (code) => done({ ok: code === 0, output }))
    child.stdin.end(actual)
  })
}

/** The JSON records of a --json trace. */
export function records(stdout: string): Record<string, unknown>[] {
  return stdout
    .split('\n')
    .filter((l) => l.trim().startsWith('{'))
    .map((l) => JSON.parse(l) as Record<string, unknown>)
}
