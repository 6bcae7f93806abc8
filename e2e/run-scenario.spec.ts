import { expect, test } from './fixtures/index'
import { ui } from './ui'

test('running a program of the course shows its tasks finishing with the course lines in the log', async ({ page, saveScreenshot }) => {
  const u = ui(page)
  await expect(page.getByRole('heading', { name: 'Run a program from the course' })).toBeVisible()
  await u.runButton('graceful-cancel').click()

  const db = u.row('db_operation')
  await expect(u.stateOf(u.row('main'))).toHaveText(/done/)
  await expect(u.stateOf(db)).toHaveText(/done/)
  await expect(u.runStatus).toHaveText('done')

  await db.click()
  await expect(u.details.getByRole('heading', { name: 'db_operation' })).toBeVisible()
  // main's own task.cancel() is the program's doing, not a person's, and names who asked.
  await expect(u.cancelSourceOf(db)).toHaveText('program')
  await expect(u.details.locator('dd', { has: page.locator('.cancel-source') })).toHaveText(/^program\s+by\s+main\s+at 5\.000 s$/)
  // The course's output: five rounds, then the cancellation caught and the cleanup finished.
  await expect(u.logLines).toHaveText([
    /0\.000\s+operation start/,
    /0\.000\s+operation new round/,
    /1\.000\s+operation new round/,
    /2\.000\s+operation new round/,
    /3\.000\s+operation new round/,
    /4\.000\s+operation new round/,
    /5\.000\s+operation was cancelled/,
    /6\.000\s+operation done/,
  ])
  await saveScreenshot('graceful-cancel-done')

  // The whole program's output, as the course prints it, under the table.
  await page.getByRole('tab', { name: 'Output' }).click()
  const output = page.getByRole('list', { name: 'Program output' }).getByRole('listitem')
  await expect(output).toHaveCount(8)
  await expect(output.last()).toHaveText(/6\.000\s+\[db_operation\]\s+operation done/)
  await saveScreenshot('graceful-cancel-output')
})

test('the launcher shows the course source beside the port and reports a bad parameter inline', async ({ page, saveScreenshot }) => {
  const u = ui(page)
  await u.openLauncher('wait-for-timeout')
  const dialog = page.getByRole('dialog')
  await expect(dialog.getByRole('region', { name: 'Course source (Python)' })).toContainText('asyncio.wait_for')
  await expect(dialog.getByRole('region', { name: 'Port source (TypeScript)' })).toContainText('waitFor')
  await expect(dialog.getByLabel('delay')).toHaveValue('10000')

  await dialog.getByLabel('delay').fill('-5')
  await dialog.getByRole('button', { name: 'Run', exact: true }).click()
  await expect(dialog.getByLabel('delay')).toHaveAttribute('aria-invalid', 'true')
  await expect(dialog.locator('#param-delay-hint .field-error')).not.toBeEmpty()
  await saveScreenshot('launcher-invalid-delay')
  await expect(u.grid).toHaveCount(0)
})

test('a program that fails before its first task shows the error instead of crashing', async ({ page, saveScreenshot }) => {
  const u = ui(page)
  await u.runButton('run-non-coroutine').click()
  await expect(u.runStatus).toHaveText('failed')
  await expect(page.getByRole('alert')).toContainText(/TypeError: a coroutine function was expected, got/)
  await saveScreenshot('run-non-coroutine-failed')
})
