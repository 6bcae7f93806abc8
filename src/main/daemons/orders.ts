import { Faker, en } from '@faker-js/faker'
import type { Database } from '../history'

export interface OrderItem {
  sku: string
  product: string
  quantity: number
  unitCents: number
}

/** A job's payload: one customer order. */
export interface Order {
  customer: string
  email: string
  items: OrderItem[]
}

export interface Job {
  id: number
  order: Order
}

/** Makes faker orders, repeatable for a given seed. */
export function orderFactory(seed: number): () => Order {
  const f = new Faker({ locale: [en] })
  f.seed(seed)
  return () => ({
    customer: f.person.fullName(),
    email: f.internet.email().toLowerCase(),
    items: Array.from({ length: f.number.int({ min: 1, max: 5 }) }, () => ({
      sku: f.string.alphanumeric({ length: 8, casing: 'upper' }),
      product: f.commerce.productName(),
      quantity: f.number.int({ min: 1, max: 4 }),
      unitCents: f.number.int({ min: 199, max: 25_000 }),
    })),
  })
}

/**
 * The job workers' rows in the history database. The `jobs` table is the source of truth: a job is
 * `pending` from the moment it is accepted until the one transaction that writes its order, its
 * line items and its `done` mark. Whatever happens in between (a stop, a crash), it is either
 * fully written or still pending — never half-written, never lost.
 */
export function jobStore(db: Database) {
  const insertJob = db.prepare(
    "INSERT INTO jobs (kind, payload, status, accepted_at) VALUES ('order', ?, 'pending', ?)",
  )
  const markDone = db.prepare(
    "UPDATE jobs SET status = 'done', done_at = ?, worker = ? WHERE id = ? AND status = 'pending'",
  )
  const insertOrder = db.prepare(
    'INSERT INTO orders (job_id, customer, email, item_count, total_cents, created_at) VALUES (?, ?, ?, ?, ?, ?)',
  )
  const insertItem = db.prepare(
    'INSERT INTO order_items (order_id, line, sku, product, quantity, unit_cents) VALUES (?, ?, ?, ?, ?, ?)',
  )
  const selectPending = db.prepare("SELECT id, payload FROM jobs WHERE status = 'pending' ORDER BY id")
  const countPending = db.prepare("SELECT count(*) AS n FROM jobs WHERE status = 'pending'")

  const complete = db.transaction((job: Job, worker: string): boolean => {
    const now = Date.now()
    // Already done (a duplicate hand-out): write nothing.
    if (markDone.run(now, worker, job.id).changes !== 1) return false
    const { order } = job
    const total = order.items.reduce((sum, i) => sum + i.quantity * i.unitCents, 0)
    const orderId = insertOrder.run(job.id, order.customer, order.email, order.items.length, total, now).lastInsertRowid
    order.items.forEach((item, line) => {
      insertItem.run(orderId, line + 1, item.sku, item.product, item.quantity, item.unitCents)
    })
    return true
  })

  return {
    /** Records a new pending job; returns its id. */
    accept(order: Order): number {
      return Number(insertJob.run(JSON.stringify(order), Date.now()).lastInsertRowid)
    },
    /** Writes the job's order and items and marks it done, in one transaction. False if it was already done. */
    complete: (job: Job, worker: string): boolean => complete.immediate(job, worker),
    /** Jobs accepted earlier and never written, oldest first. */
    pending(): Job[] {
      return (selectPending.all() as { id: number; payload: string }[]).map((r) => ({
        id: r.id,
        order: JSON.parse(r.payload) as Order,
      }))
    },
    pendingCount(): number {
      return (countPending.all() as { n: number }[])[0]?.n ?? 0
    },
  }
}

export type JobStore = ReturnType<typeof jobStore>
