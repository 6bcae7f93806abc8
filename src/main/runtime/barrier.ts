/** Barrier (asyncio.Barrier, CPython 3.12): `parties` tasks wait until all of them have arrived. */
import { Condition } from './condition'
import { BrokenBarrierError, ValueError } from './errors'
import type { ResourceInfo, ResourceOptions, ResourceRegistry, TrackedResource } from './resources'
import { INTERNAL, bindResource, resourceIdentity } from './resources'
import type { Task } from './task'
import { describeValue } from './validate'

type BarrierState = 'filling' | 'draining' | 'resetting' | 'broken'

export class Barrier implements TrackedResource {
  readonly parties: number
  private readonly cond = new Condition(undefined, INTERNAL)
  private state: BarrierState = 'filling'
  private count = 0
  /** @internal */ readonly _rid: number
  /** @internal */ readonly _label: string
  /** @internal */ readonly _resKind = 'Barrier' as const
  /** @internal */ _reg: ResourceRegistry | null = null
  /** @internal */ _owner: TrackedResource | null = null

  /** `opts.name` labels it in the window's resources view. */
  constructor(parties: number, opts?: ResourceOptions) {
    if (typeof parties !== 'number' || Number.isNaN(parties)) throw new TypeError(`Barrier parties must be a number, got ${describeValue(parties)}`)
    if (parties < 1) throw new ValueError('parties must be > 0')
    this.parties = parties
    const { rid, label } = resourceIdentity('Barrier', opts)
    this._rid = rid
    this._label = label
    this.cond._partOf(this)
  }

  /** @internal */
  _info(): { holders: Task<unknown>[]; extra: Partial<ResourceInfo> } {
    return { holders: [], extra: { parties: this.parties, nWaiting: this.nWaiting, broken: this.broken } }
  }

  /** How many tasks wait at the barrier now (0 while it drains or resets). */
  get nWaiting(): number {
    return this.state === 'filling' ? this.count : 0
  }

  /** True once abort() broke it (until reset()). */
  get broken(): boolean {
    return this.state === 'broken'
  }

  /**
   * Waits until `parties` tasks are waiting, then releases them all. Returns this task's index of
   * arrival, 0 … parties − 1. BrokenBarrierError if the barrier is aborted or reset meanwhile, or broken.
   */
  async wait(): Promise<number> {
    if (this._reg === null) bindResource(this)
    await this.cond.acquire()
    try {
      await this.block() // while the barrier drains or resets
      const index = this.count
      this.count++
      try {
        if (index + 1 === this.parties) this.release()
        else await this.waitFilled()
        return index
      } finally {
        this.count--
        this.exit()
      }
    } finally {
      this.cond.release()
    }
  }

  /** Back to the initial state; tasks waiting now get BrokenBarrierError. */
  async reset(): Promise<void> {
    await this.cond.acquire()
    try {
      this.state = this.count > 0 ? 'resetting' : 'filling'
      this.cond.notifyAll()
    } finally {
      this.cond.release()
    }
  }

  /** Breaks the barrier: tasks waiting now, and every later wait(), get BrokenBarrierError. */
  async abort(): Promise<void> {
    await this.cond.acquire()
    try {
      this.state = 'broken'
      this.cond.notifyAll()
    } finally {
      this.cond.release()
    }
  }

  private async block(): Promise<void> {
    await this.cond.waitFor(() => this.state !== 'draining' && this.state !== 'resetting')
    if (this.state === 'broken') throw new BrokenBarrierError('Barrier aborted')
  }

  private release(): void {
    this.state = 'draining'
    this.cond.notifyAll()
  }

  private async waitFilled(): Promise<void> {
    await this.cond.waitFor(() => this.state !== 'filling')
    if (this.state === 'broken' || this.state === 'resetting') throw new BrokenBarrierError('Abort or reset of barrier')
  }

  private exit(): void {
    if (this.count === 0) {
      if (this.state === 'resetting' || this.state === 'draining') this.state = 'filling'
      this.cond.notifyAll()
    }
  }
}
