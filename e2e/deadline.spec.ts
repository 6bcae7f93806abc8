import { expect, test } from './fixtures/index'
import { ui } from './ui'

test('a deadline set on the traffic-jam request counts down and cancels it with source deadline', async ({ page, saveScreenshot }) => {
  const u = ui(page)
  // The course's wait_for would time out after 1 s on its own; give it a minute so ours is first.
  await u.openLauncher('wait-for-timeout')
  const dialog = page.getByRole('dialog')
  await dialog.getByLabel('timeout').fill('60000')
  await dialog.getByRole('radio', { name: '1×' }).check()
  await dialog.getByRole('button', { name: 'Run', exact: true }).click()

  // The request is the task main awaits: it sleeps for the service's 10 s.
  const sleeping = u.grid.getByRole('row').filter({ hasText: /sleep/ })
  await expect(sleeping).toHaveCount(1)
  const name = (await sleeping.locator('.name').textContent()) ?? ''
  const request = u.row(name)
  await request.click()
  await page.keyboard.press('d')
  await page.keyboard.press('Control+a')
  await page.keyboard.type('1.5')
  await u.details.getByRole('button', { name: 'Set deadline' }).click()

  // Counts down: a first reading within the 1.5 s set, then (polled, no sleep) a smaller one.
  const countdown = u.details.getByTestId('deadline-countdown')
  await expect(countdown).toHaveText(/^\d\.\d{3} s$/)
  const secondsLeft = async () => Number.parseFloat((await countdown.textContent()) ?? '')
  const first = await secondsLeft()
  expect(first).toBeGreaterThan(0)
  expect(first).toBeLessThanOrEqual(1.5)
  await expect.poll(secondsLeft, { message: `the countdown goes down from ${first} s`, timeout: 1_400 }).toBeLessThan(first)
  await saveScreenshot('deadline-counting-down')

  await expect(u.stateOf(request)).toHaveText(/cancelled/, { timeout: 15_000 })
  await expect(u.cancelSourceOf(request)).toHaveText('deadline')
  await expect(u.details).toContainText(/deadline/)
  await saveScreenshot('deadline-passed')
})
