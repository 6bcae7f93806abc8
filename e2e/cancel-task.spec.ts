import { expect, test } from './fixtures/index'
import { ui } from './ui'

test.describe('cancelling a heartbeat worker', () => {
  test.beforeEach(async ({ page }) => {
    const u = ui(page)
    await u.setDaemonSetting('heartbeat', 'intervalMs', '200')
    await u.daemonSwitch('Heartbeat workers').click()
    await expect(u.daemonSwitch('Heartbeat workers')).toHaveAttribute('aria-checked', 'true')
    await expect(u.stateOf(u.row('worker-2'))).toHaveText(/waiting|running/)
  })

  test('shows it cancelled with source user and the reason given', async ({ page, saveScreenshot }) => {
    const u = ui(page)
    const row = u.row('worker-2')
    await row.click()
    await page.keyboard.press('c') // opens the details with the reason field focused
    await page.keyboard.type('e2e says stop')
    await u.details.getByRole('button', { name: 'Cancel', exact: true }).click()

    await expect(u.stateOf(row)).toHaveText(/cancelled/)
    await expect(u.cancelSourceOf(row)).toHaveText('user')
    await expect(u.details).toContainText('e2e says stop')
    // The other workers keep beating.
    await expect(u.stateOf(u.row('worker-1'))).toHaveText(/waiting|running/)
    await saveScreenshot('worker-2-cancelled')
  })

  test('one click on its row opens its details, Cancel included', async ({ page, saveScreenshot }) => {
    const u = ui(page)
    await u.row('worker-2').click()
    await expect(u.grid.getByRole('row', { selected: true })).toContainText('worker-2')
    await expect(u.details.getByRole('heading', { name: 'worker-2' })).toBeVisible()
    await expect(u.details.getByRole('button', { name: 'Cancel', exact: true })).toBeVisible()
    await saveScreenshot('row-click-opens-details')
    // Esc closes them again; the row stays selected.
    await page.keyboard.press('Escape')
    await expect(u.details).toHaveCount(0)
    await expect(u.grid.getByRole('row', { selected: true })).toContainText('worker-2')
  })

  test('shows its cleanup line after the cancellation', async ({ page, saveScreenshot }) => {
    const u = ui(page)
    await u.row('worker-2').click()
    await expect(u.logLines.first()).toHaveText(/worker-2 heartbeat/)
    await u.details.getByRole('button', { name: 'Cancel', exact: true }).click()
    await expect(u.stateOf(u.row('worker-2'))).toHaveText(/cancelled/)
    await expect(u.logLines.filter({ hasText: 'worker-2 stopping (cancelled by user' })).toHaveCount(1)
    await expect(u.logLines.last()).toHaveText(/worker-2 stopped$/)
    await saveScreenshot('worker-2-cleanup')
  })
})

test('cancelling every heartbeat worker from the window turns the daemon off (ended), and it starts again', async ({ page, saveScreenshot }) => {
  const u = ui(page)
  await u.setDaemonSetting('heartbeat', 'workers', '2')
  await u.daemonSwitch('Heartbeat workers').click()
  await expect(u.daemonSwitch('Heartbeat workers')).toHaveAttribute('aria-checked', 'true')
  for (const name of ['worker-1', 'worker-2']) {
    await expect(u.stateOf(u.row(name))).toHaveText(/waiting|running/)
    await u.row(name).click()
    await u.details.getByRole('button', { name: 'Cancel', exact: true }).click()
    await expect(u.stateOf(u.row(name))).toHaveText(/cancelled/)
  }
  const rail = page.locator('[data-daemon="heartbeat"]')
  await expect(u.daemonSwitch('Heartbeat workers')).toHaveAttribute('aria-checked', 'false')
  await expect(rail.locator('.d-state')).toHaveText('ended')
  await expect(rail.locator('.d-state')).toHaveAttribute('title', 'all 2 tasks ended: 2 cancelled by user')
  await saveScreenshot('heartbeat-ended')

  await u.daemonSwitch('Heartbeat workers').click()
  await expect(u.daemonSwitch('Heartbeat workers')).toHaveAttribute('aria-checked', 'true')
  await expect(rail.locator('.d-state')).toHaveText('on')
  await expect(page.getByRole('alert')).toHaveCount(0)
})
