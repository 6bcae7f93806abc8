/** Ids per page (a power of two): a page is 64 slots, 256 bytes, made when its first id is held. */
const PAGE_BITS = 6
const PAGE = 1 << PAGE_BITS
const MASK = PAGE - 1

/**
 * The paging IdTable and IdRows share: pages by key (made when their first id is held, let go when
 * they empty), how many ids each holds, and the last page used kept at hand. Subclasses say what a
 * page is and what an empty slot reads as.
 */
abstract class Paged<P extends ArrayLike<unknown>> {
  protected readonly pages = new Map<number, P>()
  /** Values held per page, to let a page go when it empties. */
  private readonly counts = new Map<number, number>()
  private lastKey = NaN
  private lastPage: P | undefined = undefined
  private n = 0

  get size(): number {
    return this.n
  }

  /** A new page, every slot empty. */
  protected abstract newPage(): P

  protected page(key: number): P | undefined {
    if (key === this.lastKey) return this.lastPage
    const page = this.pages.get(key)
    if (page !== undefined) {
      this.lastKey = key
      this.lastPage = page
    }
    return page
  }

  /** `key`'s page, made if it has none (`id` names the key in the error for a bad one). */
  protected pageToSet(key: number, id: number): P {
    const page = this.page(key)
    if (page !== undefined) return page
    checkKey(key, id)
    const made = this.newPage()
    this.pages.set(key, made)
    this.counts.set(key, 0)
    this.lastKey = key
    this.lastPage = made
    return made
  }

  /** An empty slot of `key`'s page now holds a value. */
  protected held(key: number): void {
    this.counts.set(key, this.counts.get(key)! + 1)
    this.n++
  }

  /** A slot of `key`'s page was emptied: the page goes with its last value. */
  protected released(key: number): void {
    this.n--
    const left = this.counts.get(key)! - 1
    if (left > 0) {
      this.counts.set(key, left)
      return
    }
    this.pages.delete(key)
    this.counts.delete(key)
    if (key === this.lastKey) {
      this.lastKey = NaN
      this.lastPage = undefined
    }
  }
}

/**
 * Values by task id, for ids as the runtime makes them (1, 2, 3, … in creation order): pages of 64
 * slots found by the id's high bits, the last page used kept at hand. The monitor's lookups by id
 * come in runs of neighbouring ids (tasks are created, stepped and end in about the order they were
 * made), so most cost an array read where a Map of 100,000 numbers hashed and probed (a Map insert
 * and delete per task was a tenth of what watching W1 cost). An empty page is let go, so the table
 * holds at most one page per value (a page per held id at worst: 256 bytes each, against a Map's
 * ~30). Ids are non-negative integers (set refuses any other).
 * Iteration goes page by page in the order pages were made, each in id order: about id order,
 * not insertion order (callers that need an order sort).
 */
export class IdTable<V> extends Paged<(V | undefined)[]> {
  protected newPage(): (V | undefined)[] {
    return new Array<V | undefined>(PAGE).fill(undefined)
  }

  get(id: number): V | undefined {
    const page = this.page(keyOf(id))
    return page === undefined ? undefined : page[id & MASK]
  }

  has(id: number): boolean {
    return this.get(id) !== undefined
  }

  /** Holds `value` (not undefined) for `id`. */
  set(id: number, value: V): void {
    const key = keyOf(id)
    const page = this.pageToSet(key, id)
    const i = id & MASK
    if (page[i] === undefined) this.held(key)
    page[i] = value
  }

  /** Lets go of `id`'s value; false if none was held. */
  delete(id: number): boolean {
    const key = keyOf(id)
    const page = this.page(key)
    const i = id & MASK
    if (page === undefined || page[i] === undefined) return false
    page[i] = undefined
    this.released(key)
    return true
  }

  /** Every held value with its id (a snapshot of them: the table may change while the caller goes through it). */
  entries(): [id: number, value: V][] {
    const out: [number, V][] = []
    for (const [key, page] of this.pages) {
      for (let i = 0; i < PAGE; i++) {
        const v = page[i]
        if (v !== undefined) out.push([idOf(key, i), v])
      }
    }
    return out
  }

  /** Every held value (a snapshot, as entries). */
  values(): V[] {
    const out: V[] = []
    for (const page of this.pages.values()) {
      for (let i = 0; i < PAGE; i++) {
        const v = page[i]
        if (v !== undefined) out.push(v)
      }
    }
    return out
  }
}

/**
 * Non-negative integers by task id (an ended task's row in EndedColumns), as IdTable but in Int32
 * pages (-1: none) the garbage collector does not trace.
 */
export class IdRows extends Paged<Int32Array> {
  protected newPage(): Int32Array {
    return new Int32Array(PAGE).fill(-1)
  }

  /** The row held for `id`, or -1. */
  get(id: number): number {
    const page = this.page(keyOf(id))
    return page === undefined ? -1 : page[id & MASK]!
  }

  has(id: number): boolean {
    return this.get(id) >= 0
  }

  /** Holds `row` (≥ 0, < 2^31) for `id`. */
  set(id: number, row: number): void {
    const key = keyOf(id)
    const page = this.pageToSet(key, id)
    const i = id & MASK
    if (page[i]! < 0) this.held(key)
    page[i] = row
  }

  delete(id: number): boolean {
    const key = keyOf(id)
    const page = this.page(key)
    const i = id & MASK
    if (page === undefined || page[i]! < 0) return false
    page[i] = -1
    this.released(key)
    return true
  }

  /** Every held row (a snapshot: rows may be set or deleted while the caller goes through them). */
  rows(): number[] {
    const out: number[] = []
    for (const page of this.pages.values()) {
      for (let i = 0; i < PAGE; i++) {
        const r = page[i]!
        if (r >= 0) out.push(r)
      }
    }
    return out
  }
}

/**
 * The page key of an id (a task id: a non-negative safe integer; `id & MASK`, its low bits, is
 * then its slot). Any other key is refused: NaN, which no page has (get finds nothing, set throws).
 */
function keyOf(id: number): number {
  if (id >= 0 && id <= 0x7fffffff && (id | 0) === id) return id >>> PAGE_BITS
  if (Number.isSafeInteger(id) && id >= 0) return Math.floor(id / PAGE)
  return NaN
}

function checkKey(key: number, id: number): void {
  if (key !== key) throw new RangeError(`a task id is a non-negative integer, got ${id}`)
}

function idOf(key: number, i: number): number {
  return key * PAGE + i
}
