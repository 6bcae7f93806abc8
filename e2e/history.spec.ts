import { expect, test } from './fixtures/index'
import { ui } from './ui'

test('history shows a finished run with its tasks and log', async ({ page, saveScreenshot }) => {
  const u = ui(page)
  await u.runButton('workers-heartbeat').click()
  await expect(u.runStatus).toHaveText('done')

  await page.getByRole('button', { name: 'All runs' }).click()
  const runs = page.getByRole('region', { name: 'Past runs' })
  const run = runs.getByRole('row').filter({ hasText: 'workers-heartbeat' })
  await expect(run).toContainText('done')
  await run.getByRole('button', { name: 'workers-heartbeat' }).click()

  const detail = page.getByRole('region', { name: 'Run details' })
  await expect(detail.getByRole('table')).toContainText('worker-3')
  await expect(detail.getByRole('listitem').filter({ hasText: 'main msg' })).toHaveCount(2)
  await expect(detail.getByRole('listitem').filter({ hasText: 'worker-1 msg' })).toHaveCount(2)
  await expect(detail.getByRole('button', { name: 'Export CSV' })).toBeEnabled()

  const download = page.waitForEvent('download')
  await detail.getByRole('button', { name: 'Export JSON' }).click()
  const file = await download
  expect(file.suggestedFilename()).toMatch(/\.json$/)
  await saveScreenshot('history-run')
})
