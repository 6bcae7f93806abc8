// Issue 11 §4, as a person sees it: a deadline on one gather child cancels main, and main's details
// say why ("main ← gather ← Task-N deadline at … s"); a graceful shutdown whose grace runs out on a
// task that swallows every cancellation leaves it `abandoned`, counted nowhere as running.
import { expect, test } from './fixtures/index'
import { ui } from './ui'

const STUBBORN = `import { createTask, run, sleep } from 'loopwatch'

async function stubborn(): Promise<void> {
  for (;;) {
    try {
      await sleep(50)
    } catch {
      console.log('stubborn: ignoring the cancel')
    }
  }
}

await run(async () => {
  createTask(stubborn, { name: 'stubborn' })
  await sleep(600_000)
})
`

test('a deadline on one gather child cancels main, and main tells the chain back to it', async ({ page, saveScreenshot }) => {
  const u = ui(page)
  await u.openLauncher('gather-random-sleep')
  const dialog = page.getByRole('dialog')
  await dialog.getByLabel('delays').fill('[60000, 60000]')
  await dialog.getByRole('radio', { name: '1×' }).check()
  await dialog.getByRole('button', { name: 'Run', exact: true }).click()

  // gather's two children sleep a minute each; the first one gets a 1.5 s deadline.
  const sleeping = u.grid.getByRole('row').filter({ hasText: /sleep/ })
  await expect(sleeping).toHaveCount(2)
  const child = ((await sleeping.first().locator('.name').textContent()) ?? '').trim()
  expect(child).toMatch(/^Task-\d+$/)
  await u.row(child).click()
  await page.keyboard.press('d')
  await page.keyboard.press('Control+a')
  await page.keyboard.type('1.5')
  await u.details.getByRole('button', { name: 'Set deadline' }).click()

  const main = u.row('main')
  await expect(u.stateOf(main)).toHaveText(/cancelled/, { timeout: 15_000 })
  // Not "cancelled" with a blank source: the deadline that reached it through the gather.
  await expect(u.cancelSourceOf(main)).toHaveText('deadline')
  await expect(u.stateOf(main)).toHaveAttribute('title', new RegExp(`^cancelled: main ← gather ← ${child} deadline at \\d+(\\.\\d+)? s$`))
  await main.click()
  const chain = u.details.getByTestId('cancel-chain')
  await expect(chain).toHaveText(new RegExp(`^main ← gather ← ${child} deadline at \\d+(\\.\\d+)? s$`))
  await saveScreenshot('cancel-chain-main-details')
  // The origin is a link to the child.
  await chain.getByRole('button', { name: child }).click()
  await expect(u.details.getByRole('heading', { name: child })).toBeVisible()
  await expect(u.details).toContainText('deadline')
})

test.describe('a shutdown whose grace runs out', () => {
  test.skip(({ loopwatchHost }) => loopwatchHost !== 'web', 'the editor runs its programs as children of the web host')

  test('leaves a task that ignores cancellation abandoned, and counts it nowhere as running', async ({ page, api, saveScreenshot }) => {
    test.setTimeout(90_000)
    const u = ui(page)
    await page.getByRole('button', { name: 'New program' }).click()
    const view = page.getByRole('region', { name: 'Program editor' })
    await view.locator('.cm-content').click()
    await page.keyboard.press('Control+a')
    await page.keyboard.press('Delete')
    await view.locator('.cm-content').fill(STUBBORN)
    await view.getByLabel('Name').fill('stubborn')
    await expect(view.getByRole('status', { name: 'Compile problems' })).toContainText('✓ compiles')
    await view.getByRole('radio', { name: '1×' }).check()
    await view.getByRole('button', { name: 'Run', exact: true }).click()
    await expect(u.row('stubborn')).toBeVisible({ timeout: 20_000 })
    await expect(page.getByTestId('live-counts')).toContainText(/\b2 waiting|1 running · 1 waiting|0 running · 2 waiting/)

    await page.getByRole('button', { name: 'Shut down gracefully' }).click()
    const dialog = page.getByRole('dialog')
    await dialog.getByLabel('Grace period').fill('1')
    await dialog.getByRole('button', { name: 'Shut down', exact: true }).click()
    await expect(dialog.getByRole('heading', { name: 'Shutdown report' })).toBeVisible({ timeout: 20_000 })
    await expect(dialog.getByRole('status')).toContainText('1 forced')
    await saveScreenshot('abandoned-shutdown-report')
    await dialog.getByRole('button', { name: 'Close' }).click()

    // The forced task is abandoned, not "cancelling" forever; main, which did cancel, reads cancelled.
    const stubborn = u.row('stubborn')
    await expect(u.stateOf(stubborn)).toHaveText(/abandoned/, { timeout: 15_000 })
    await expect(u.stateOf(u.row('main'))).toHaveText(/cancelled/)
    await expect(page.getByTestId('live-counts')).toContainText('0 running')
    await expect(page.getByTestId('live-counts')).toContainText('0 waiting')
    await expect(page.getByTestId('live-counts')).not.toContainText('cancelling')
    // The filter the top bar's count opens (tasks not finished) shows it no more.
    await page.getByTestId('live-counts').click()
    await expect(u.row('stubborn')).toHaveCount(0)
    await page.getByLabel('Filter tasks').fill('')
    await u.row('stubborn').click()
    await expect(u.details).toContainText('left unfinished: its loop was shut down and the grace period ran out')
    await saveScreenshot('abandoned-task-details')
    // It exited on its own: nothing was left for asyncio.run's last shutdown to wait for.
    const ran = (await api.call('programs:list')).find((p) => p.name === 'stubborn')!
    expect(ran.stoppedHow).toBe('graceful')
  })
})
