// The runtime's public names (src/main/runtime/index.ts, what `import … from 'loopwatch'` gives) with
// their signatures, for the editor's completion. Written once by hand; test/programs/completions.test.ts
// fails when the runtime's exports and this list part ways.

export type RuntimeExportKind = 'function' | 'class' | 'constant' | 'type'

export interface RuntimeExport {
  name: string
  kind: RuntimeExportKind
  /** What the completion shows beside the name. */
  signature: string
  info: string
}

const fn = (name: string, signature: string, info: string): RuntimeExport => ({ name, kind: 'function', signature, info })
const cls = (name: string, signature: string, info: string): RuntimeExport => ({ name, kind: 'class', signature, info })
const constant = (name: string, signature: string, info: string): RuntimeExport => ({ name, kind: 'constant', signature, info })
const type = (name: string, info: string): RuntimeExport => ({ name, kind: 'type', signature: 'type', info })

export const RUNTIME_EXPORTS: readonly RuntimeExport[] = [
  // Running and tasks
  fn('run', 'run<T>(main: () => PromiseLike<T>, opts?: { clock?: Clock; graceMs?: number }): Promise<T>', 'asyncio.run: a new loop runs main to the end'),
  fn('createTask', 'createTask<T>(coro: () => PromiseLike<T>, opts?: { name?: string }): Task<T>', 'asyncio.create_task: schedules coro as a task'),
  fn('sleep', 'sleep<T = void>(ms: number, value?: T): Future<T>', 'asyncio.sleep, in milliseconds of the loop clock'),
  fn('gather', 'gather(aws: Awaitable[], opts?: { returnExceptions?: boolean }): Future<unknown[]>', 'asyncio.gather: all results in order'),
  fn('wait', 'wait(aws: Iterable<Awaitable>, opts?: { timeout?: number | null; returnWhen?: ReturnWhen }): Promise<{ done; pending }>', 'asyncio.wait'),
  fn('waitFor', 'waitFor<T>(aw: Awaitable<T>, ms: number | null): Promise<T>', 'asyncio.wait_for: TimeoutError after ms'),
  fn('shield', 'shield<T>(aw: Awaitable<T>): Future<T>', 'asyncio.shield: cancelling the outer leaves the inner running'),
  fn('asCompleted', 'asCompleted(aws: Iterable<Awaitable>, opts?: { timeout?: number | null }): AsyncIterableIterator<Task>', 'asyncio.as_completed'),
  fn('timeout', 'timeout<T>(ms: number | null, body: (scope: TimeoutScope) => PromiseLike<T>): Promise<T>', 'asyncio.timeout: a scope that cancels its body after ms'),
  fn('timeoutAt', 'timeoutAt<T>(when: number | null, body: (scope: TimeoutScope) => PromiseLike<T>): Promise<T>', 'asyncio.timeout_at: a deadline on the loop clock'),
  fn('taskGroup', 'taskGroup<T>(body: (tg: TaskGroup) => Promise<T>): Promise<T>', 'asyncio.TaskGroup: tasks that end together'),
  fn('getRunningLoop', 'getRunningLoop(): EventLoop', 'asyncio.get_running_loop'),
  fn('currentTask', 'currentTask(): Task<unknown> | null', 'asyncio.current_task'),
  fn('allTasks', 'allTasks(): Set<Task<unknown>>', 'asyncio.all_tasks: the running loop’s unfinished tasks'),
  fn('setDefaultClock', 'setDefaultClock(makeClock: (() => Clock) | null): void', 'the clock of loops made without a clock option'),
  fn('onLoopCreated', 'onLoopCreated(listener: LoopCreatedListener, opts?: { existing?: boolean }): () => void', 'called for every new loop (and the live ones, with existing)'),
  fn('liveLoops', 'liveLoops(): EventLoop[]', 'every loop made and not yet closed, oldest first'),
  // Classes
  cls('Task', 'Task<T> extends Future<T>', 'a scheduled coroutine: cancel(reason?), setDeadline(at), name, state'),
  cls('Future', 'Future<T>', 'asyncio.Future: result(), exception(), cancel(), done()'),
  cls('EventLoop', 'new EventLoop(opts?: { clock?: Clock; wallTimer?: WallTimer })', 'the scheduler itself'),
  cls('TaskGroup', 'TaskGroup', 'tg.createTask(coro, { name }) inside taskGroup()'),
  cls('TimeoutScope', 'TimeoutScope', 'reschedule(ms), expired()'),
  cls('Queue', 'new Queue<T>(maxsize = 0)', 'asyncio.Queue: put, get, join, taskDone'),
  cls('PriorityQueue', 'new PriorityQueue<T>(maxsize = 0, opts?: { comparator? })', 'asyncio.PriorityQueue'),
  cls('LifoQueue', 'new LifoQueue<T>(maxsize = 0)', 'asyncio.LifoQueue'),
  cls('Event', 'new Event()', 'asyncio.Event: set, clear, wait'),
  cls('Lock', 'new Lock()', 'asyncio.Lock: acquire, release'),
  cls('Semaphore', 'new Semaphore(value = 1)', 'asyncio.Semaphore'),
  cls('BoundedSemaphore', 'new BoundedSemaphore(value = 1)', 'asyncio.BoundedSemaphore'),
  cls('Condition', 'new Condition(lock?: Lock)', 'asyncio.Condition: wait, notify, notifyAll'),
  cls('Barrier', 'new Barrier(parties: number)', 'asyncio.Barrier: wait, reset, abort'),
  cls('RealClock', 'new RealClock()', 'wall time'),
  cls('ScaledClock', 'new ScaledClock(rate: number)', 'wall time × rate'),
  cls('VirtualClock', 'new VirtualClock(opts?: { start?: number; autojump?: boolean })', 'jumps to the next timer'),
  // Errors
  cls('CancelledError', 'CancelledError extends Error', 'what a cancelled task sees: catch it to clean up, then rethrow'),
  cls('TimeoutError', 'TimeoutError extends Error', 'waitFor / timeout ran out'),
  cls('InvalidStateError', 'InvalidStateError extends Error', 'asyncio.InvalidStateError'),
  cls('RuntimeError', 'RuntimeError extends Error', 'asyncio’s RuntimeError'),
  cls('TaskGroupError', 'TaskGroupError extends AggregateError', 'a task group’s failures'),
  cls('QueueEmpty', 'QueueEmpty extends Error', 'getNowait on an empty queue'),
  cls('QueueFull', 'QueueFull extends Error', 'putNowait on a full queue'),
  cls('ValueError', 'ValueError extends Error', 'Python’s ValueError'),
  cls('BrokenBarrierError', 'BrokenBarrierError extends Error', 'a barrier was reset or aborted'),
  // Constants
  constant('FIRST_COMPLETED', "'FIRST_COMPLETED'", 'wait({ returnWhen })'),
  constant('FIRST_EXCEPTION', "'FIRST_EXCEPTION'", 'wait({ returnWhen })'),
  constant('ALL_COMPLETED', "'ALL_COMPLETED'", 'wait({ returnWhen })'),
  constant('TASK_STATES', 'readonly TaskState[]', 'pending, running, waiting, cancelling, done, failed, cancelled, abandoned'),
  constant('FINAL_STATES', 'readonly FinalState[]', 'done, failed, cancelled, abandoned'),
  constant('CANCEL_SOURCES', 'readonly CancelSource[]', 'user, program, deadline, timeout, shutdown, sibling, parent'),
  constant('hostWallTimer', 'WallTimer', 'the host’s setTimeout, as a loop wall timer'),
  constant('MAX_WALL_DELAY_MS', 'number', 'the longest single wall timer'),
  constant('MAX_CANCEL_HOPS', 'number', 'how many links of a cancel chain are kept (the rest counted)'),
  constant('LOOP_CONTROL_STATES', 'readonly LoopControlState[]', 'running, pausing, paused, stepping, toNextTimer'),
  constant('READY_KINDS', 'readonly ReadyKind[]', 'what a ready-queue entry of loop.inspect() is'),
  constant('TIMER_KINDS', 'readonly TimerKind[]', 'what a timer of loop.inspect() is for'),
  constant('INSPECT_LIMIT', 'number', 'loop.inspect()’s default entries per list'),
  constant('MAX_INSPECT_LIMIT', 'number', 'loop.inspect()’s most entries per list'),
  // Types
  type('Clock', 'a loop clock: now(), and how it waits'),
  type('WallTimer', 'how a loop waits in wall time'),
  type('LoopCreatedListener', '(loop: EventLoop) => (() => void) | void'),
  type('Comparator', 'a priority queue’s ordering'),
  type('Awaitable', 'a Future, Task or PromiseLike'),
  type('AwaitedOf', 'the value an Awaitable gives'),
  type('ReturnWhen', 'FIRST_COMPLETED | FIRST_EXCEPTION | ALL_COMPLETED'),
  type('TaskState', 'a task’s state'),
  type('FinalState', 'done | failed | cancelled | abandoned'),
  type('CancelSource', 'who asked for a cancel'),
  type('CancelRequest', 'a cancel’s source, reason and time'),
  type('CancelCause', 'where a cancel that came from elsewhere began, and the way it came'),
  type('CancelOrigin', 'the task and request a cancel chain began with'),
  type('CancelHop', 'one link of a cancel chain (a task, a gather, a task group)'),
  type('LoopControlState', 'running | pausing | paused | stepping | toNextTimer'),
  type('LoopSpeed', "'virtual' or a rate (1: real time)"),
  type('LoopInspection', 'loop.inspect(): the ready queue and the timer heap'),
  type('ReadyEntry', 'one entry of the ready queue, described'),
  type('ReadyKind', 'a task step, a done callback, a callback'),
  type('TimerEntry', 'one timer of the heap: when, and what for'),
  type('TimerKind', 'sleep, timeout, deadline, callLater'),
  type('Instrument', 'loop.addInstrument hooks'),
  type('ShutdownReport', 'what a graceful shutdown did'),
  type('Handle', 'a scheduled callback'),
  type('ExceptionContext', 'what the loop’s exception handler gets'),
  type('ExceptionHandler', 'loop.setExceptionHandler'),
]
