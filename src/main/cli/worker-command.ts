// `loopwatch worker`: one worker process of a BullMQ fleet. It runs the runtime; each job it takes
// is a task named by the job's id (attempt shown when it is a retry); the task's return value is
// the job's result in BullMQ. The process is a source in the window (watch(), role service) over
// the agent protocol: over Redis streams (nothing but Redis needed) or over TCP to a local app.
// SIGTERM / Ctrl-C: stop taking jobs, let the jobs in hand finish within the grace, then hand those
// still running back to the queue (waiting again, for another worker). The app's stop does the same
// at once. A job's own cancel from the window fails it as its attempts say.
import { REDIS_SECRET_ENV, secretProblem } from '../hub/redis-wire'
import { watch } from '../../agent/watch'
import type { Watcher } from '../../agent/watch'
import type { ConnectionStatus } from '../../agent/connection'
import { ShutdownTrigger } from '../app/shutdown-signals'
import { bullmqBackend, parseFleetJob } from '../queue'
import { errorLines } from '../queue/error-lines'
import type { FleetJob, FleetResult } from '../queue'
import { CancelledError, Event, getRunningLoop, run, sleep } from '../runtime'
import { jobWorkerName } from '../../shared/queue-contract'
import { parseCommandLine } from './command-line'
import type { CliIo } from './printer'
import { QUEUE_OPTIONS_USAGE, QueueUsageError, intFlag, queueFlags, queueTarget } from './queue-args'

export const WORKER_USAGE = `usage: loopwatch worker [--concurrency N] [--redis URL] [--queue NAME] [--transport redis|tcp] [--app URL | --no-app] [--grace-ms M]

  --concurrency N   jobs run at once (default 4)
${QUEUE_OPTIONS_USAGE}
  --transport T     how it reports to the app: redis (streams on the same Redis; needs ${REDIS_SECRET_ENV},
                    the app's own) or tcp (a local app). Default: tcp when --app or LOOPWATCH_APP is given,
                    else redis when ${REDIS_SECRET_ENV} is set, else tcp (agent.json)
  --app URL         the app to show it in over tcp: tcp://127.0.0.1:<port>?token=… (default: LOOPWATCH_APP, agent.json)
  --no-app          no agent
  --grace-ms M      on Ctrl-C / SIGTERM, how long the jobs in hand may finish before they are cancelled and
                    handed back to the queue for another worker (default 10000)

  Lock and stalled-check times (BullMQ's lockDuration / stalledInterval, ms) come from
  LOOPWATCH_BULLMQ_LOCK_MS and LOOPWATCH_BULLMQ_STALLED_MS (default BullMQ's 30000 / 30000).`

/** How long the exit waits for the agent's last deltas and bye. */
const CLOSE_AGENT_MS = 3000

function parseWorkerArgs(argv: readonly string[]) {
  const values = queueFlags(argv, {
    concurrency: { type: 'string' },
    app: { type: 'string' },
    'no-app': { type: 'boolean' },
    'grace-ms': { type: 'string' },
    transport: { type: 'string' },
  })
  if (values.help) return 'help' as const
  if (values.app !== undefined && values['no-app']) throw new QueueUsageError('--app and --no-app exclude each other')
  const transport = values.transport ?? null
  if (transport !== null && transport !== 'redis' && transport !== 'tcp') throw new QueueUsageError(`--transport takes redis or tcp, got ${JSON.stringify(transport)}`)
  if (transport === 'redis' && values.app !== undefined) throw new QueueUsageError('--app is the tcp transport; with --transport redis the app is found through Redis')
  const secret = process.env[REDIS_SECRET_ENV] ?? ''
  const appGiven = values.app !== undefined || (process.env['LOOPWATCH_APP'] ?? '') !== ''
  const overRedis = transport === 'redis' || (transport === null && !appGiven && secret !== '')
  const problem = overRedis ? secretProblem(secret) : null
  if (problem) throw new QueueUsageError(`--transport redis: ${problem}`)
  const env = (name: string) => intFlag(name, process.env[name] || undefined, 0, 0, 3_600_000)
  return {
    ...queueTarget(values.redis, values.queue),
    concurrency: intFlag('--concurrency', values.concurrency, 4, 1, 1000),
    graceMs: intFlag('--grace-ms', values['grace-ms'], 10_000, 0, 600_000),
    app: values.app ?? null,
    noApp: values['no-app'] ?? false,
    overRedis,
    lockMs: env('LOOPWATCH_BULLMQ_LOCK_MS'),
    stalledMs: env('LOOPWATCH_BULLMQ_STALLED_MS'),
  }
}

/**
 * Runs a worker until a shutdown signal (or the app's stop) and resolves with its exit status:
 * 0 after a graceful stop, 2 for a command line it refused.
 *
 * @example await workerCommand(['--concurrency', '8', '--redis', 'redis://127.0.0.1:6379'], io)
 */
export async function workerCommand(argv: readonly string[], io: CliIo): Promise<number> {
  const cfg = parseCommandLine('worker', WORKER_USAGE, argv, parseWorkerArgs, io)
  if (typeof cfg === 'number') return cfg
  const c = cfg
  const slot = jobWorkerName(process.pid)
  // Each change between shown and not shown, said once (a wrong secret or no app is not silent).
  let shown: boolean | null = null
  const onStatus = (s: ConnectionStatus) => {
    if (s.state === 'connected' && shown !== true) io.err(`loopwatch worker ${process.pid}: shown in the app as ${s.sourceId}`)
    else if (s.state === 'waiting' && shown !== false) io.err(`loopwatch worker ${process.pid}: not shown in the app: ${s.why}; trying again`)
    else return
    shown = s.state === 'connected'
  }
  const watcher: Watcher | null = c.noApp
    ? null
    : watch({ name: slot, role: 'service', note: (l) => io.err(l), onStatus, ...(c.overRedis ? { redis: { url: c.url } } : { app: c.app }) })
  const backend = bullmqBackend<FleetJob, FleetResult>({
    url: c.url,
    queue: c.queue,
    slot,
    worker: { ...(c.lockMs ? { lockDuration: c.lockMs } : {}), ...(c.stalledMs ? { stalledInterval: c.stalledMs } : {}) },
    onError: errorLines((line) => io.err(line), 'loopwatch worker'),
  })
  let completed = 0
  let failed = 0
  backend.onFinished((o) => (o.ok ? completed++ : failed++))
  const trigger = new ShutdownTrigger({
    onForce: () => {
      io.err('loopwatch worker: second interrupt, exiting without waiting.')
      process.exit(130)
    },
  })
  let why = 'stopped from the app'
  try {
    await run(async () => {
      const loop = getRunningLoop()
      const [supervisor] = backend.process(
        async (job, by) => {
          const data = parseFleetJob(job.data)
          if (data.ms > 0) await sleep(data.ms)
          if (data.fail !== undefined) throw new Error(data.fail)
          return { n: data.n, worker: by, attempt: job.attempt }
        },
        { loop, concurrency: c.concurrency, name: 'bullmq-worker' },
      )
      const via = c.noApp ? 'not reporting' : c.overRedis ? 'reporting over Redis streams' : 'reporting over tcp'
      io.out(`loopwatch worker ${process.pid}: taking jobs from ${c.queue} on ${c.url} (concurrency ${c.concurrency}; ${via})`)
      const stopping = new Event()
      trigger.on((reason) => {
        why = reason
        loop.callSoon(() => stopping.set())
      })
      await stopping.wait()
      io.err(`loopwatch worker ${process.pid}: ${why}: no new jobs; ${c.graceMs} ms for the jobs in hand`)
      // Past the grace the jobs still running are cancelled and handed back to the queue (another
      // worker takes them), and close() can end.
      const cut = loop.callLater(c.graceMs, () => void backend.releaseJobsInHand(`${slot} stopping: grace over`))
      supervisor!.cancel('worker stopping')
      try {
        await supervisor
      } catch (error) {
        if (!(error instanceof CancelledError)) throw error
      }
      cut.cancel()
    })
  } catch (error) {
    // The app's stop command shut the loop down: a graceful end too.
    if (!(error instanceof CancelledError)) throw error
  } finally {
    trigger.dispose()
    await backend.close()
    const back = backend.released > 0 ? `; ${backend.released} handed back to the queue` : ''
    io.out(`loopwatch worker ${process.pid}: stopped (${completed} completed, ${failed} failed${back})`)
    // The agent's socket never holds the process open: a timer does, while the bye goes out (bounded).
    if (watcher) {
      let timer: NodeJS.Timeout | undefined
      await Promise.race([watcher.close({ code: 0, reason: why }), new Promise((r) => (timer = setTimeout(r, CLOSE_AGENT_MS)))])
      clearTimeout(timer)
    }
  }
  return 0
}
