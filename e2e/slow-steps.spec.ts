import { expect, test } from './fixtures/index'
import { ui } from './ui'

// Issue 11 §1: the blocking scenario's blocker busy-loops 60 ms after every 3 sleeps, 10 times.
// Each block is caught as a slow step, attributed to the blocker with the awaits it sat between,
// and its details show where its real time went.
test('a slow step is caught and attributed: the Slow steps tab lists the blocker\'s blocks, a row selects it, its details show its time', async ({ page, api, saveScreenshot }) => {
  const u = ui(page)
  // Above a loaded machine's hiccups (a first step compiling code can take 20 ms), under the 60 ms blocks.
  await api.call('steps:setThreshold', { thresholdMs: 50 })
  await u.runButton('blocking').click()
  await expect(u.runStatus).toHaveText('done')
  const runId = (await api.call('runs:list')).find((r) => r.scenarioId === 'blocking')!.runId
  const { steps } = await api.call('steps:slow')
  const mine = steps.filter((s) => s.runId === runId && s.taskName === 'blocker')
  expect(mine.length).toBe(10)
  expect(mine.every((s) => s.durationMs >= 60)).toBe(true)

  await page.getByRole('tab', { name: /^Slow steps \(\d+\)$/ }).click()
  const table = page.getByRole('table', { name: 'Slow steps' })
  const rows = table.getByRole('row').filter({ has: page.getByRole('cell') }).filter({ hasText: 'blocker' })
  await expect(rows).toHaveCount(10)
  for (const row of await rows.all()) {
    await expect(row).toContainText('blocker')
    await expect(row.getByRole('cell').nth(0)).toHaveText(/^\d+(\.\d)? ms$/)
    await expect(row.getByRole('cell').nth(4)).toHaveText(/^sleep until \d+\.\d{3}s$/)
  }
  // The last block ends the task; the others park on the next round's sleep.
  await expect(rows.filter({ hasText: /ended$/ })).toHaveCount(1)
  await expect(page.getByText(/on the real clock: on a virtual clock/)).toBeVisible()

  // Longest first, then a row selects its task.
  await table.getByRole('button', { name: /^Duration/ }).click()
  await rows.first().click()
  await expect(u.details.getByRole('heading', { name: 'blocker' })).toBeVisible()
  const time = u.details.getByRole('region', { name: 'Time spent' })
  await expect(time.locator('[data-figure="steps"]')).toHaveText('31') // its first step, then one per sleep
  await expect(time.locator('[data-figure="busy"]')).toHaveText(/^\d+ ms$/)
  const busy = Number((await time.locator('[data-figure="busy"]').textContent())!.replace(' ms', ''))
  expect(busy).toBeGreaterThanOrEqual(600)
  await expect(time.getByRole('img', { name: /^Step durations: 31 in all;/ })).toBeVisible()
  await expect(time.getByRole('img', { name: /^Scheduled delays \(woken → run\): 31 in all;/ })).toBeVisible()
  await saveScreenshot('slow-steps-attributed')

  // The timeline marks the blocker's slow steps on its row.
  await page.getByRole('tab', { name: 'Timeline' }).click()
  await saveScreenshot('slow-steps-timeline')

  // The threshold is set from the window, for the whole app.
  await page.getByRole('tab', { name: /^Slow steps/ }).click()
  await page.getByLabel('Threshold').fill('1000')
  await page.getByRole('button', { name: 'Set', exact: true }).click()
  await expect(page.getByText('at least 1000 ms')).toBeVisible()
  expect((await api.call('steps:slow')).thresholdMs).toBe(1000)
})
