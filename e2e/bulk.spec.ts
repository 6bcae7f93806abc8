import { expect, test } from './fixtures/index'
import type { TestApi } from './fixtures/api-client'
import { ui } from './ui'

const REASON = 'draining the pool (e2e)'

/** The run's sleeper tasks (coroutine function `sleeper`), from the app's own snapshot. */
async function sleepers(api: TestApi, runId: number) {
  const snap = await api.call('app:snapshot')
  return snap.tasks.filter((t) => t.runId === runId && t.coro === 'sleeper')
}

test('300 filtered tasks of a load run cancelled in one action, grouped by function, then the run re-run from history', async ({ page, api, saveScreenshot }) => {
  const u = ui(page)
  // A load run of 400 ten-minute sleepers, at most 300 alive at once: the other 100 start only
  // as slots free up, so "exactly the 300 shown" is visible in the result.
  await u.openLauncher('load')
  const launcher = page.getByRole('dialog')
  await launcher.getByLabel('tasks', { exact: true }).fill('400')
  await launcher.getByLabel('live', { exact: true }).fill('300')
  await launcher.getByLabel('sleeps', { exact: true }).fill('1')
  await launcher.getByLabel('minSleep', { exact: true }).fill('600000')
  await launcher.getByLabel('maxSleep', { exact: true }).fill('600000')
  await launcher.getByRole('radio', { name: '1×' }).check()
  await launcher.getByRole('button', { name: 'Run', exact: true }).click()
  await expect(u.runStatus).toHaveText('running')
  const runId = (await api.call('runs:list')).find((r) => r.scenarioId === 'load')!.runId

  // The top bar: nothing runs a step while 300 sleepers and main wait.
  await expect(page.getByTestId('live-counts')).toHaveText(/^\s*0 running\s*· 301 waiting\s*$/)

  // Filter to the sleepers: the toolbar offers to act on exactly the 300 live ones shown.
  await page.getByLabel('Filter tasks').fill('fn:sleeper state:waiting')
  const cancelShown = page.getByRole('button', { name: 'Cancel 300 shown…' })
  await expect(cancelShown).toBeEnabled()
  await expect(page.getByRole('button', { name: 'Deadline on 300 shown…' })).toBeEnabled()
  const targeted = new Set((await sleepers(api, runId)).filter((t) => t.state === 'waiting').map((t) => t.id))
  expect(targeted.size).toBe(300)

  await cancelShown.click()
  const dialog = page.getByTestId('bulk-dialog')
  await expect(dialog.getByRole('heading')).toHaveText('Cancel 300 tasks?')
  await expect(dialog).toContainText('The 300 live tasks the table shows for fn:sleeper state:waiting')
  await dialog.getByLabel('Reason').fill(REASON)
  await saveScreenshot('bulk-cancel-confirm')
  await dialog.getByRole('button', { name: 'Cancel 300 tasks' }).click()
  await expect(dialog).toBeHidden()

  const summary = page.getByTestId('bulk-summary')
  await expect(summary).toHaveText(/Cancel 300 tasks:\s*300 cancelled\s*×?$/)
  // Exactly those 300 ended cancelled, by the user, with the reason; the 100 started since are untouched.
  await expect.poll(async () => (await sleepers(api, runId)).filter((t) => t.state === 'cancelled').length).toBe(300)
  const after = await sleepers(api, runId)
  const cancelled = after.filter((t) => t.state === 'cancelled')
  expect(new Set(cancelled.map((t) => t.id))).toEqual(targeted)
  expect(cancelled.every((t) => t.cancel?.source === 'user' && t.cancel.reason === REASON)).toBe(true)
  const later = after.filter((t) => !targeted.has(t.id))
  expect(later).toHaveLength(100)
  expect(later.every((t) => t.cancel === null)).toBe(true)
  await page.getByLabel('Filter tasks').fill('fn:sleeper')
  await saveScreenshot('bulk-cancel-summary')

  // Group: 400 Task-N rows collapse into one sleeper() row with its counts per state.
  await page.getByLabel('Filter tasks').fill('')
  await page.getByRole('checkbox', { name: 'Group' }).check()
  const group = u.grid.getByRole('row').filter({ has: page.getByTestId('group-label').getByText('sleeper()', { exact: true }) })
  await expect(group).toHaveCount(1)
  await expect(group).toContainText('×400')
  await expect(group.getByTestId('group-states')).toHaveText(/100 waiting\s+300 cancelled/)
  await expect(u.grid.getByRole('row')).toHaveCount(3) // the header, main(), sleeper()
  await saveScreenshot('bulk-grouped-by-function')
  await page.getByRole('checkbox', { name: 'Group' }).uncheck()

  // Stop it, then re-run it from history with the same params and clock.
  await page.getByRole('button', { name: 'Stop run' }).click()
  await expect(u.runStatus).toHaveText('cancelled', { timeout: 15_000 })
  await page.getByRole('button', { name: 'All runs' }).click()
  await page.getByRole('region', { name: 'Past runs' }).getByRole('row').filter({ hasText: `#${runId}` }).getByRole('button', { name: 'load' }).click()
  const detail = page.getByRole('region', { name: 'Run details' })
  await expect(detail).toContainText('clock 1×')
  await saveScreenshot('bulk-history-rerun-button')
  await detail.getByRole('button', { name: 'Re-run' }).click()
  await expect(u.runStatus).toHaveText('running')
  const runs = await api.call('runs:list')
  const first = runs.find((r) => r.runId === runId)!
  const again = runs.find((r) => r.scenarioId === 'load' && r.runId !== runId)!
  expect(again.params).toEqual(first.params)
  expect(again.clock).toEqual(first.clock)
  await expect.poll(async () => (await sleepers(api, again.runId)).filter((t) => t.state === 'waiting').length).toBe(300)
  // The window follows the new run: its main and 300 sleepers (rows are virtualized: count them in the toolbar).
  await expect(page.locator('.toolbar .count')).toHaveText('301 tasks')
  await expect(page.getByRole('button', { name: 'Cancel 301 shown…' })).toBeEnabled()
  await expect(page.getByTestId('bulk-summary')).toHaveCount(0) // the first run's summary stays with the first run
  await saveScreenshot('bulk-rerun-live')
  await api.call('run:stop', { runId: again.runId, graceMs: 1000 })
})
