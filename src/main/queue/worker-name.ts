// How a `loopwatch worker` process is named — its source name in the window and its BullMQ
// worker name (which BullMQ stores on each job it takes as processedBy) — written once, so the
// app recognises its job workers among the connected processes.

/** `worker <pid>`. */
export function jobWorkerName(pid: number): string {
  return `worker ${pid}`
}

/** True for a connected process that is a `loopwatch worker`: named for its own pid. */
export function isJobWorker(source: { name: string; pid: number }): boolean {
  return source.name === jobWorkerName(source.pid)
}
