// Waiting on Redis with a bound: with the server gone, BullMQ's closes and ioredis's commands would
// wait for it forever.

/** True if `p` settled within `ms` (its outcome is not needed, only that it is over). */
export async function settlesWithin(p: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined
  const late = new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), ms)))
  try {
    return await Promise.race([p.then(() => true, () => true), late])
  } finally {
    clearTimeout(timer)
  }
}

/** `p`'s value if it resolved within `ms`; `late` if it rejected or did not settle in time. */
export async function within<T, L>(p: Promise<T>, ms: number, late: L): Promise<T | L> {
  let timer: NodeJS.Timeout | undefined
  const timeout = new Promise<L>((resolve) => (timer = setTimeout(() => resolve(late), ms)))
  try {
    return await Promise.race([p.catch(() => late), timeout])
  } finally {
    clearTimeout(timer)
  }
}
