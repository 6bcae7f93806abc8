// The queue view's channels: each payload already checked by the contract (queue-contract.ts).
import type { Handlers } from '../../shared/contract'
import type { AppCore } from '../app/app-core'

type QueueChannel = 'queue:status' | 'queue:failed' | 'queue:retry' | 'queue:retryAll'

/** queue:status, queue:failed, queue:retry, queue:retryAll over the app's queue. */
export function queueHandlers(core: AppCore): Pick<Handlers, QueueChannel> {
  return {
    'queue:status': () => core.queue.status(),
    'queue:failed': (page) => core.queue.failed(page?.offset ?? 0, page?.limit ?? 50),
    'queue:retry': ({ jobId }) => core.queue.retry(jobId),
    'queue:retryAll': () => core.queue.retryAll(),
  }
}
