/**
 * Loopwatch's runtime: asyncio's semantics in TypeScript. The public surface of
 * shared/RUNTIME-API.md; pure TypeScript, no Electron or DOM.
 */
export type { Clock, WallTimer } from './clock'
export { RealClock, ScaledClock, VirtualClock, hostWallTimer, MAX_WALL_DELAY_MS } from './clock'
export { EventLoop, liveLoops, onLoopCreated } from './loop'
export type { LoopCreatedListener } from './loop'
export { LOOP_CONTROL_STATES, READY_KINDS, TIMER_KINDS, INSPECT_LIMIT, MAX_INSPECT_LIMIT } from './loop-control-types'
export type { LoopControlState, LoopSpeed, LoopInspection, ReadyEntry, TimerEntry, ReadyKind, TimerKind } from './loop-control-types'
export { Future } from './future'
export { Task } from './task'
export { getRunningLoop, currentTask } from './current'
export { run, createTask, allTasks, setDefaultClock } from './run'
export { sleep } from './sleep'
export { gather } from './gather'
export { wait, waitFor, shield, asCompleted } from './wait'
export { timeout, timeoutAt, TimeoutScope } from './timeout'
export { taskGroup, TaskGroup } from './task-group'
export { Queue, PriorityQueue, LifoQueue } from './queue'
export type { Comparator } from './queue'
export { Event, Lock, Semaphore, BoundedSemaphore } from './locks'
export { Condition } from './condition'
export { Barrier } from './barrier'
export type { Awaitable, AwaitedOf } from './awaitable'
export {
  CancelledError,
  TimeoutError,
  InvalidStateError,
  RuntimeError,
  TaskGroupError,
  QueueEmpty,
  QueueFull,
  ValueError,
  BrokenBarrierError,
} from './errors'
export { FIRST_COMPLETED, FIRST_EXCEPTION, ALL_COMPLETED, TASK_STATES, FINAL_STATES, CANCEL_SOURCES, MAX_CANCEL_HOPS } from './types'
export type {
  ReturnWhen, TaskState, FinalState, CancelSource, CancelRequest, CancelCause, CancelOrigin, CancelHop, Instrument, ShutdownReport, Handle, ExceptionContext, ExceptionHandler,
} from './types'
