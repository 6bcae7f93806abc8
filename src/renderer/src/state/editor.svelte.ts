// The editor: the program's text (what CodeMirror holds), where it came from, its compile problems,
// the run clock, and the editor's program runs as the main side reports them (programs:changed).
// Components stay thin: CodeEditor mounts CodeMirror and reports edits here.
import type { LoopwatchApi } from '../../../shared/contract'
import { PROGRAM_LIMITS, utf8Bytes } from '../../../shared/program-contract'
import type { ProgramClock, ProgramDiagnostic, ProgramRunInfo } from '../../../shared/program-contract'
import { CLOCK_CHOICES, clockFromKey, type ClockKey } from './launcher.svelte'

/** The clock choice a stored program ran with, as the segmented control names it. */
export function keyOfClock(clock: ProgramClock): ClockKey {
  if (clock === 'virtual') return 'virtual'
  return CLOCK_CHOICES.find((c) => c.key === String(clock.speed))?.key ?? '1'
}

/** How an editor run stands, in a few words. */
export function programRunLabel(r: ProgramRunInfo): string {
  if (r.state === 'killed') return 'killed (SIGKILL): it did not answer its stop'
  if (r.state === 'exited') {
    const how = r.stoppedHow === 'graceful' ? 'stopped gracefully · ' : ''
    return `${how}exited (${r.exit?.signal ?? `code ${r.exit?.code ?? '?'}`})`
  }
  return r.state
}

const CHECK_DELAY_MS = 350

export class EditorState {
  /** The program text (CodeMirror's document, reported on every edit). */
  text = $state('')
  /** Bumped when the text is replaced from outside (a template, a past run): the editor reloads it. */
  loaded = $state(0)
  name = $state('program')
  /** Where the text came from (`programs/course/gather.ts`, `history run #12`). */
  origin = $state<string | null>(null)
  clock = $state<ClockKey>('1')
  diagnostics = $state.raw<ProgramDiagnostic[]>([])
  /** The diagnostics are for this text (false while an edit waits for its check). */
  checked = $state(false)
  busy = $state(false)
  error = $state<string | null>(null)
  runs = $state.raw<ProgramRunInfo[]>([])
  /** The run started from this editor last. */
  currentKey = $state<number | null>(null)

  readonly current = $derived(this.runs.find((r) => r.runKey === this.currentKey) ?? null)
  readonly running = $derived(this.current !== null && ['starting', 'running', 'stopping'].includes(this.current.state))
  readonly errors = $derived(this.diagnostics.filter((d) => d.severity === 'error'))
  readonly tooBig = $derived(utf8Bytes(this.text) > PROGRAM_LIMITS.maxSourceBytes)

  private checkTimer: ReturnType<typeof setTimeout> | null = null
  private checkSeq = 0

  constructor(
    private readonly api: () => LoopwatchApi | null,
    /** Shows a connected source's tasks (the live view, scoped to it). */
    private readonly showSource: (sourceId: string) => void,
  ) {}

  /** Opens a course program's TypeScript port (or, with null, the new-program template). */
  async openTemplate(scenarioId: string | null): Promise<boolean> {
    const api = this.api()
    if (!api) return false
    const r = await api.invoke('program:template', { scenarioId })
    if (!r.ok) {
      this.error = r.error.message
      return false
    }
    this.load(r.value.source, r.value.name, r.value.origin)
    return true
  }

  /** Opens the program a history run was started from. */
  async openRun(runId: number): Promise<boolean> {
    const api = this.api()
    if (!api) return false
    const r = await api.invoke('program:ofRun', { runId })
    if (!r.ok) {
      this.error = r.error.message
      return false
    }
    this.load(r.value.source, r.value.name, `history run #${runId}`)
    this.clock = keyOfClock(r.value.clock)
    return true
  }

  private load(source: string, name: string, origin: string): void {
    this.text = source
    this.name = name
    this.origin = origin
    this.error = null
    this.diagnostics = []
    this.checked = false
    this.loaded++
    void this.check()
  }

  /** An edit in the editor: the text is checked again once typing pauses. */
  edited(text: string): void {
    this.text = text
    this.checked = false
    if (this.checkTimer) clearTimeout(this.checkTimer)
    this.checkTimer = setTimeout(() => void this.check(), CHECK_DELAY_MS)
  }

  /** Compiles on the main side; the problems show at their lines. True when it compiles. */
  async check(): Promise<boolean> {
    const api = this.api()
    if (!api) return false
    if (this.tooBig) {
      this.error = `a program is at most ${PROGRAM_LIMITS.maxSourceBytes / 1024} KiB`
      return false
    }
    const seq = ++this.checkSeq
    const text = this.text
    const r = await api.invoke('program:check', { source: text })
    if (seq !== this.checkSeq) return false // a later edit's check answers for the text now shown
    if (!r.ok) {
      this.error = r.error.message
      return false
    }
    this.diagnostics = r.value
    this.checked = true
    return !r.value.some((d) => d.severity === 'error')
  }

  /** Checks, then runs the text in a child process; shows its tasks once it connected. */
  async run(): Promise<boolean> {
    const api = this.api()
    if (!api || this.busy) return false
    this.busy = true
    this.error = null
    try {
      if (!(await this.check())) return false
      const name = this.name.trim().replace(/[^\w .,:+()@-]/g, '-').slice(0, PROGRAM_LIMITS.maxNameChars) || 'program'
      const r = await api.invoke('program:run', { source: this.text, clock: clockFromKey(this.clock), name })
      if (!r.ok) {
        this.error = r.error.message
        return false
      }
      this.currentKey = r.value.runKey
      this.upsert(r.value)
      if (r.value.sourceId) this.showSource(r.value.sourceId)
      return true
    } finally {
      this.busy = false
    }
  }

  /** Stops the current run: gracefully within its grace, else killed (the main side decides). */
  async stop(graceMs = 2000): Promise<void> {
    const api = this.api()
    const key = this.currentKey
    if (!api || key === null) return
    const r = await api.invoke('program:stop', { runKey: key, graceMs })
    if (!r.ok) this.error = r.error.message
  }

  /** programs:changed / programs:list. */
  setRuns(list: ProgramRunInfo[]): void {
    this.runs = list
  }

  private upsert(info: ProgramRunInfo): void {
    this.runs = [...this.runs.filter((r) => r.runKey !== info.runKey), info]
  }
}
