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

// Issue 11 §1 + §6: a run's slow steps are kept with it: the History view lists them (the live tab's
// columns) and the replay's timeline marks them (▲) once the scrubber has passed where each ended.
test('a past run\'s slow steps: listed in History and marked on the replay\'s timeline as the scrubber passes them', async ({ page, api, saveScreenshot }) => {
  const u = ui(page)
  // Above a loaded machine's hiccups, under the 60 ms blocks.
  await api.call('steps:setThreshold', { thresholdMs: 50 })
  const params = { blockMs: 60, blocks: 4, every: 2, sleepMs: 100, workers: 2 }
  const { runId } = await api.call('scenario:start', { id: 'blocking', params, clock: 'virtual' })
  await expect.poll(async () => (await api.call('history:get', { runId, taskLimit: 1 })).run.outcome, { timeout: 20_000 }).toBe('done')
  // Kept with the run, through the contract as the window reads it.
  await expect.poll(async () => (await api.call('history:get', { runId, taskLimit: 1 })).slowSteps.filter((s) => s.taskName === 'blocker').length, { timeout: 10_000 }).toBe(4)
  const { slowSteps } = await api.call('history:get', { runId, taskLimit: 1 })

  await page.getByRole('button', { name: 'All runs' }).click()
  await page.getByRole('region', { name: 'Past runs' }).getByRole('row').filter({ hasText: `#${runId}` }).getByRole('button', { name: 'blocking' }).click()
  const detail = page.getByRole('region', { name: 'Run details' })
  await expect(detail.getByRole('heading', { name: `Slow steps (${slowSteps.length})` })).toBeVisible()
  const table = detail.getByRole('table', { name: `Slow steps of run ${runId}` })
  const rows = table.getByRole('row').filter({ has: page.getByRole('cell') })
  await expect(rows.filter({ hasText: 'blocker' })).toHaveCount(4)
  // Longest first; the same columns as the live tab.
  await expect(table.getByRole('columnheader')).toHaveText(['Duration ↓', 'Task', 'When', 'Loop time', 'Resumed from', 'Parked on'])
  const durations = (await rows.locator('td:first-child').allTextContents()).map((t) => Number(t.replace(' ms', '')))
  expect(durations).toEqual([...durations].sort((a, b) => b - a))
  expect(durations.every((d) => d >= 50)).toBe(true)
  await expect(rows.filter({ hasText: 'blocker' }).first().getByRole('cell').nth(4)).toHaveText(/^sleep until \d+\.\d{3}s$/)
  await saveScreenshot('history-slow-steps')

  await detail.getByRole('button', { name: 'Replay' }).click()
  const bar = page.getByRole('region', { name: 'Replay' })
  await expect(bar).toContainText(`blocking #${runId}`)
  const scrubber = bar.getByRole('slider', { name: 'Replay time' })
  const end = Number(await scrubber.getAttribute('max'))
  // The blocker's row on the timeline: its tooltip counts the ▲ marks the scrubber has passed.
  const names = await u.grid.getByRole('row').filter({ has: page.locator('.name') }).locator('.name').allTextContents()
  const at = names.indexOf('blocker')
  expect(at).toBeGreaterThanOrEqual(0)
  const canvas = page.getByRole('region', { name: 'Timeline' }).locator('canvas')
  const hoverBlocker = async () => {
    await canvas.hover({ position: { x: 400, y: 22 + at * 20 + 10 } })
    return page.getByRole('region', { name: 'Timeline' }).locator('.tip')
  }
  await scrubber.fill('0')
  await expect(await hoverBlocker()).not.toContainText('slow step')
  await scrubber.fill(String(end))
  await expect(await hoverBlocker()).toContainText('4 slow steps (▲), longest')
  await page.mouse.move(0, 0)
  await saveScreenshot('replay-slow-marks')
  await bar.getByRole('button', { name: 'Close replay' }).click()
})
