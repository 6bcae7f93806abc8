/** The times one entry keeps, at these offsets of its slot. */
export const N_CREATED_LOOP = 0
export const N_CREATED_WALL = 1
export const N_START_LOOP = 2
export const N_START_WALL = 3
export const N_END_LOOP = 4
export const N_END_WALL = 5
/** Then the first INLINE_SEGMENTS closed segments of its history, as (code, from, to) triples. */
export const N_SEGMENTS = 6
export const INLINE_SEGMENTS = 3
const STRIDE = N_SEGMENTS + 3 * INLINE_SEGMENTS

/**
 * The monitor's per-task times (created, started, ended; loop and wall) and the first few segments
 * of its history (a short task's whole history) in one Float64Array, a slot per task it holds as an
 * object. A number field of a class that is not a small integer is a
 * boxed heap number in V8: six of them per task were six more objects for every scavenge to copy
 * while 100,000 tasks lived, as many as the rest of the entry. Slots are reused once let go.
 */
export class EntryNumbers {
  a = new Float64Array(STRIDE * 1024)
  private readonly free: number[] = []
  private next = 0

  /** A slot's base index, its times unset (loop NaN, wall 0). */
  take(): number {
    let at = this.free.pop()
    if (at === undefined) {
      at = STRIDE * this.next++
      if (at + STRIDE > this.a.length) {
        const a = new Float64Array(2 * this.a.length)
        a.set(this.a)
        this.a = a
      }
    }
    const a = this.a
    a[at + N_CREATED_LOOP] = NaN
    a[at + N_CREATED_WALL] = 0
    a[at + N_START_LOOP] = NaN
    a[at + N_START_WALL] = 0
    a[at + N_END_LOOP] = NaN
    a[at + N_END_WALL] = 0
    return at
  }

  release(at: number): void {
    this.free.push(at)
  }
}
