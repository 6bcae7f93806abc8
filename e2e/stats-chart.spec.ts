import { expect, test } from './fixtures/index'
import { ui } from './ui'

test('the stats chart gains points while the stats daemon samples', async ({ page, saveScreenshot }) => {
  const u = ui(page)
  await u.setDaemonSetting('stats', 'intervalMs', '200')
  await u.daemonSwitch('Stats daemon').click()

  const chart = page.getByRole('img', { name: /^Stats chart/ })
  await expect(chart).toHaveAttribute('data-points', /^[3-9]$|^\d{2,}$/, { timeout: 20_000 })
  const before = Number(await chart.getAttribute('data-points'))
  await expect.poll(async () => Number(await chart.getAttribute('data-points')), { timeout: 20_000 }).toBeGreaterThan(before)
  // uPlot drew the series: one path per series in its canvas.
  await expect(chart.locator('canvas')).toHaveCount(1)
  await expect(page.locator('header')).toContainText(/loop delay p99 \d+\.\d ms/)
  await saveScreenshot('stats-chart')
})
