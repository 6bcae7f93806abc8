/**
 * taskGroup() (asyncio.TaskGroup): structured concurrency. The body and every child must finish
 * before the group returns. The first failing child cancels the others (source `sibling`) and the
 * body; the group then throws TaskGroupError with the children's errors in the order they failed,
 * then the body's own error.
 */
import { currentTask, getRunningLoop } from './current'
import { CancelledError, RuntimeError, TaskGroupError } from './errors'
import { Future } from './future'
import type { EventLoop } from './loop'
import type { Task } from './task'
import { causeFrom } from './task'
import type { CancelCause, CancelHop, CancelSource } from './types'

/** How a task group reads as a link of a cancel chain ("Task-4 ← task group ← Task-3 failed"). */
const GROUP_HOP: CancelHop = { kind: 'taskGroup', name: 'task group' }

/** What the body's task awaits at the group's end: the group's children (a monitor shows it as their awaiter). */
class GroupCompletion extends Future<boolean> {
  constructor(
    loop: EventLoop,
    private readonly children: ReadonlySet<Task<unknown>>,
  ) {
    super(loop)
  }
  override describe(): string {
    return `task group of ${this.children.size}`
  }
  waitsOn(): readonly Future<unknown>[] {
    return [...this.children]
  }
}

export class TaskGroup {
  private readonly tasks = new Set<Task<unknown>>()
  private errors: unknown[] = []
  private aborting = false
  private exiting = false
  private parentCancelRequested = false
  private onCompleted: Future<boolean> | null = null

  /** @internal */
  constructor(
    private readonly loop: EventLoop,
    private readonly parent: Task<unknown>,
  ) {}

  /** Starts a child task in the group. Refused once the group is finished or shutting down. */
  createTask<T>(coro: () => PromiseLike<T>, opts: { name?: string } = {}): Task<T> {
    if (this.exiting && this.tasks.size === 0) throw new RuntimeError('this task group is finished')
    if (this.aborting) throw new RuntimeError('this task group is shutting down')
    const task = this.loop.createTask(coro, opts)
    this.tasks.add(task as Task<unknown>)
    task._onDone(this.onTaskDone)
    return task
  }

  private abort(source: CancelSource, cause: CancelCause | null = null): void {
    this.aborting = true
    for (const t of this.tasks) if (!t.done()) t._requestCancel(source, source === 'sibling' ? 'a sibling task failed' : undefined, null, cause)
  }

  private readonly onTaskDone = (task: Future<unknown>): void => {
    this.tasks.delete(task as Task<unknown>)
    if (this.onCompleted !== null && this.tasks.size === 0 && !this.onCompleted.done()) this.onCompleted.setResult(true)
    if (task.cancelled() || !task._hasException) return
    task._markRetrieved() // the group reports it (TaskGroupError)
    this.errors.push(task._exception)
    if (this.parent.done()) return
    if (!this.aborting && !this.parentCancelRequested) {
      // Abort whatever the body is awaiting right now; __aexit__ takes the request back. The
      // failed child is where these cancellations began: each says so.
      const failed = task as Task<unknown>
      const cause: CancelCause = { origin: { id: failed.id, name: failed.name, source: 'sibling', at: this.loop.time(), failed: oneLine(failed._exception) }, path: [GROUP_HOP] }
      this.abort('sibling', cause)
      this.parentCancelRequested = true
      this.parent._requestCancel('sibling', 'a task in its group failed', null, cause)
    }
  }

  /** @internal asyncio's TaskGroup.__aexit__: waits for the children, then returns what to throw. */
  async _exit(bodyError: { value: unknown } | null): Promise<{ value: unknown } | null> {
    this.exiting = true
    const et = bodyError?.value
    let propagateCancel: unknown = et instanceof CancelledError ? et : null
    if (this.parentCancelRequested && this.parent.uncancel() === 0) propagateCancel = null
    if (bodyError !== null && !this.aborting) this.abort('parent')
    while (this.tasks.size > 0) {
      if (this.onCompleted === null) this.onCompleted = new GroupCompletion(this.loop, this.tasks)
      try {
        await this.onCompleted
      } catch (e) {
        if (!(e instanceof CancelledError)) throw e
        if (!this.aborting) {
          propagateCancel = e
          this.abort('parent', causeFrom(e, GROUP_HOP))
        }
      }
      this.onCompleted = null
    }
    if (propagateCancel !== null && this.errors.length === 0) return { value: propagateCancel }
    if (bodyError !== null && !(et instanceof CancelledError)) this.errors.push(et)
    if (this.errors.length > 0) {
      const errors = this.errors
      this.errors = []
      return { value: new TaskGroupError(errors) }
    }
    return null
  }
}

/** An error in one line, as a cancel origin tells a failure: "ValueError: boom". */
function oneLine(e: unknown): string {
  const text = e instanceof Error ? (e.message ? `${e.name}: ${e.message}` : e.name) : String(e)
  return text.length > 200 ? `${text.slice(0, 199)}…` : text
}

/**
 * Runs `body` with a task group; returns the body's result once every child has finished.
 * @example await taskGroup(async (tg) => { tg.createTask(a); tg.createTask(b) })
 */
export async function taskGroup<T>(body: (tg: TaskGroup) => Promise<T>): Promise<T> {
  if (typeof body !== 'function') throw new TypeError('taskGroup() takes a body function')
  const loop = getRunningLoop()
  const parent = currentTask()
  if (parent === null) throw new RuntimeError('taskGroup() must be used inside a task')
  const tg = new TaskGroup(loop, parent)
  let result: T
  try {
    result = await body(tg)
  } catch (e) {
    const thrown = await tg._exit({ value: e })
    throw thrown === null ? e : thrown.value
  }
  const thrown = await tg._exit(null)
  if (thrown !== null) throw thrown.value
  return result
}
