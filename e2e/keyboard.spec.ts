import { expect, test } from './fixtures/index'
import { ui } from './ui'

test('the task table is driven by the keyboard: arrows, Enter, / to filter, Esc to close', async ({ page, saveScreenshot }) => {
  const u = ui(page)
  await u.runButton('workers-heartbeat').click()
  await expect(u.runStatus).toHaveText('done')
  await expect(u.grid.getByRole('row').filter({ has: page.locator('.name') })).toHaveCount(4)

  await u.grid.focus()
  await page.keyboard.press('ArrowDown')
  await page.keyboard.press('ArrowDown')
  await expect(u.grid.getByRole('row', { selected: true })).toContainText('worker-1')
  await page.keyboard.press('Enter')
  await expect(u.details.getByRole('heading', { name: 'worker-1' })).toBeVisible()
  await expect(u.logLines).toHaveText([/0\.000\s+worker-1 msg/, /1\.000\s+worker-1 msg/])

  await page.keyboard.press('Escape')
  await expect(u.details).toHaveCount(0)
  await expect(u.grid).toBeFocused()

  await page.keyboard.press('/')
  await expect(page.getByRole('searchbox', { name: 'Filter tasks' })).toBeFocused()
  await page.keyboard.type('name:worker-* -name:worker-2')
  await expect(u.grid.getByRole('row').filter({ has: page.locator('.name') })).toHaveText([/worker-1/, /worker-3/])
  await saveScreenshot('filtered-by-keyboard')

  await page.keyboard.type(' state:sleeping')
  await expect(page.locator('#filter-problems')).toContainText('unknown state "sleeping"')
})
