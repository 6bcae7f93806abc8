// Deadlocks as a person sees them: a run that can never finish says why in a banner above the
// table, naming the tasks (highlighted in the table) and the resource; the Resources tab lists the
// lock with its holder and waiters; a waiting task's details name the lock it waits on.
import { expect, test } from './fixtures/index'
import { ui } from './ui'

test('an await cycle is flagged: alice and bob awaiting each other, main blocked behind them', async ({ api, page, saveScreenshot }) => {
  const u = ui(page)
  await api.call('scenario:start', { id: 'deadlock-cycle', clock: 'virtual' })
  const banner = page.getByTestId('deadlock-banner')
  await expect(banner).toContainText(/Await cycle/, { timeout: 15_000 })
  await expect(banner).toContainText(/alice \(#\d+\) awaits bob \(#\d+\), bob \(#\d+\) awaits alice \(#\d+\): none of them can ever finish\./)
  for (const name of ['alice', 'bob', 'main']) await expect(u.row(name)).toHaveAttribute('data-deadlocked', 'true')
  await banner.getByRole('button').first().click()
  await expect(u.details.getByRole('heading', { name: 'alice' })).toBeVisible()
  await saveScreenshot('deadlock-cycle')
})

test('a stuck lock is flagged: held by a task that ended, three workers waiting; the Resources tab and the details show it', async ({ api, page, saveScreenshot }) => {
  const u = ui(page)
  await api.call('scenario:start', { id: 'stuck-lock', clock: 'virtual' })
  const banner = page.getByTestId('deadlock-banner')
  await expect(banner).toContainText(/Lock never released/, { timeout: 15_000 })
  await expect(banner).toContainText(/Lock db is held by careless \(#\d+\) \(done\), which ended without releasing it: worker-1 \(#\d+\), worker-2 \(#\d+\) and worker-3 \(#\d+\) wait to acquire it forever\./)
  for (const name of ['worker-1', 'worker-2', 'worker-3', 'main']) await expect(u.row(name)).toHaveAttribute('data-deadlocked', 'true')
  await expect(u.row('careless')).not.toHaveAttribute('data-deadlocked', 'true')

  await page.getByRole('tab', { name: 'Resources' }).click()
  const db = page.getByTestId('resources-view').locator('tr[data-resource="db"]')
  await expect(db).toContainText('Lock')
  await expect(db).toContainText('locked')
  await expect(db).toContainText(/careless #\d+/)
  await expect(db).toContainText(/worker-1 #\d+ acquire/)
  await expect(db).toContainText(/worker-3 #\d+ acquire/)

  await u.row('worker-2').click()
  await expect(u.details.getByTestId('task-resources')).toContainText('waits to acquire Lock db')
  await saveScreenshot('deadlock-stuck-lock')
})
