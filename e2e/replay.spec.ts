import { expect, test } from './fixtures/index'
import { ui } from './ui'

test('a finished run replays from History: scrub to the middle (tasks still waiting) and to the end, read only', async ({ page, api, saveScreenshot }) => {
  const u = ui(page)
  // 24 tasks of three seeded random sleeps each, some failing, some cancelled: a run with a middle.
  const params = { tasks: 24, live: 24, sleeps: 3, minSleep: 200, maxSleep: 1500, failFraction: 0.15, cancelFraction: 0.15, seed: 5 }
  const { runId } = await api.call('scenario:start', { id: 'load', params, clock: 'virtual' })
  await expect.poll(async () => (await api.call('history:get', { runId, taskLimit: 1 })).run.outcome, { timeout: 20_000 }).toBe('done')
  // The stream is in the history, through the contract as the window reads it.
  const events = await api.call('history:events', { runId })
  expect(events.chunkTotal).toBeGreaterThan(0)
  expect(events.truncated).toBe(false)

  await page.getByRole('button', { name: 'All runs' }).click()
  await page.getByRole('region', { name: 'Past runs' }).getByRole('row').filter({ hasText: `#${runId}` }).getByRole('button', { name: 'load' }).click()
  await page.getByRole('region', { name: 'Run details' }).getByRole('button', { name: 'Replay' }).click()

  const bar = page.getByRole('region', { name: 'Replay' })
  await expect(bar).toContainText('replay — read only')
  await expect(bar).toContainText(`load #${runId}`)
  const scrubber = bar.getByRole('slider', { name: 'Replay time' })
  const end = Number(await scrubber.getAttribute('max'))
  expect(end).toBeGreaterThan(1000)
  const rows = u.grid.getByRole('row').filter({ has: page.locator('.name') })

  // The middle: some sleepers still waiting, some already over.
  await scrubber.fill(String(end / 2))
  await expect(bar.getByLabel('Replay position')).toHaveText(`${(Math.round(end / 2) / 1000).toFixed(3)} / ${(Math.round(end) / 1000).toFixed(3)} s`)
  await expect(rows.filter({ hasText: 'waiting' }).first()).toBeVisible()
  const waitingMid = await rows.filter({ hasText: 'waiting' }).count()
  expect(waitingMid).toBeGreaterThan(0)
  await saveScreenshot('replay-middle')

  // Read only: a replayed task's details offer no Cancel and no deadline.
  await rows.filter({ hasText: 'waiting' }).first().click()
  await expect(u.details).toContainText('replay — read only')
  await expect(u.details.getByRole('button', { name: 'Cancel', exact: true })).toHaveCount(0)
  await page.keyboard.press('Escape')

  // The end: nothing waits any more; every task has its outcome, as the run's history says.
  await scrubber.fill(String(end))
  await expect(rows.filter({ hasText: 'waiting' })).toHaveCount(0)
  const stored = await api.call('history:get', { runId, taskLimit: 1000 })
  await expect(rows).toHaveCount(stored.taskTotal)
  for (const state of ['done', 'failed', 'cancelled'] as const) {
    const n = stored.tasks.filter((t) => t.state === state).length
    await expect(rows.filter({ has: page.getByRole('gridcell').first().filter({ hasText: new RegExp(`^\\s*${state}`) }) })).toHaveCount(n)
  }
  await saveScreenshot('replay-end')

  // Play from the start at 16×: the position moves on by itself and stops at the end.
  await scrubber.fill('0')
  await bar.getByLabel('Speed').selectOption('16')
  await bar.getByRole('button', { name: 'Play', exact: true }).click()
  await expect.poll(async () => Number(await scrubber.inputValue()), { timeout: 10_000 }).toBeGreaterThan(end / 4)
  await expect(bar.getByRole('button', { name: 'Play', exact: true })).toBeVisible({ timeout: 10_000 })
  expect(Number(await scrubber.inputValue())).toBe(end)

  await bar.getByRole('button', { name: 'Close replay' }).click()
  await expect(bar).toHaveCount(0)
})
