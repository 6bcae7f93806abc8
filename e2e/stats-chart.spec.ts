import { expect, test } from './fixtures/index'
import { ui } from './ui'

test('the stats chart gains points while the stats daemon samples', async ({ page, saveScreenshot }) => {
  const u = ui(page)
  await u.setDaemonSetting('stats', 'intervalMs', '200')
  await u.daemonSwitch('Stats daemon').click()
  await u.daemonSwitch('Job workers').click()
  await page.getByRole('button', { name: 'Daemons', exact: true }).click()

  const view = page.getByRole('region', { name: 'Daemons view' })
  const delay = view.getByRole('img', { name: /^Event-loop delay/ })
  await expect(delay).toHaveAttribute('data-points', /^[3-9]$|^\d{2,}$/, { timeout: 20_000 })
  const before = Number(await delay.getAttribute('data-points'))
  await expect.poll(async () => Number(await delay.getAttribute('data-points')), { timeout: 20_000 }).toBeGreaterThan(before)
  // uPlot drew it, and its accessible name carries the latest reading.
  await expect(delay.locator('canvas')).toHaveCount(1)
  await expect(delay).toHaveAttribute('aria-label', /latest: p50 \d+\.\d+, p99 \d+\.\d+, max \d+\.\d+/)
  await expect(view.getByRole('img', { name: /^Memory \(MB\), latest: rss \d+/ })).toBeVisible()
  await expect(page.getByRole('banner')).toContainText(/loop delay p99 \d+\.\d ms/)

  // The job workers report a throughput above zero and count the jobs they wrote.
  const throughput = view.getByRole('img', { name: /^Job throughput/ })
  await expect
    .poll(async () => Number((await throughput.getAttribute('aria-label'))?.match(/jobs\/s (\d+(?:\.\d+)?)/)?.[1] ?? 0), { timeout: 20_000 })
    .toBeGreaterThan(0)
  await expect(view.locator('[data-daemon-card="jobs"]')).toContainText(/[1-9]\d* done/)
  await expect(view.locator('[data-daemon-card="jobs"]')).toContainText(/job-worker-\d/)
  await saveScreenshot('stats-chart')

  await view.getByRole('button', { name: 'Back to live tasks' }).click()
  await expect(view).toBeHidden()
  await expect(u.grid).toBeVisible()
})
