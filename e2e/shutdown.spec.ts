import { expect, test } from './fixtures/index'
import { ui } from './ui'

test('shutting down gracefully while job workers write ends with a report', async ({ page, saveScreenshot }) => {
  const u = ui(page)
  await u.daemonSwitch('Job workers').click()
  // Wait until jobs are really being written.
  await expect(page.getByText(/jobs: [1-9]\d* done/)).toBeVisible({ timeout: 20_000 })

  await page.getByRole('button', { name: 'Shut down gracefully' }).click()
  const dialog = page.getByRole('dialog')
  await dialog.getByLabel('Grace period').fill('3')
  await saveScreenshot('shutdown-confirm')
  await dialog.getByRole('button', { name: 'Shut down', exact: true }).click()

  await expect(dialog.getByRole('heading', { name: 'Shutdown report' })).toBeVisible({ timeout: 20_000 })
  const summary = dialog.getByRole('status')
  await expect(summary).toContainText(/\d+ finished/)
  await expect(summary).toContainText('0 forced')
  await expect(summary).toContainText('0 cleanup errors')
  const jobs = dialog.getByRole('region', { name: 'Job workers' })
  await expect(jobs).toContainText('job-worker-1')
  await saveScreenshot('shutdown-report')

  await dialog.getByRole('button', { name: 'Close' }).click()
  await expect(u.daemonSwitch('Job workers')).toHaveAttribute('aria-checked', 'false')
})
