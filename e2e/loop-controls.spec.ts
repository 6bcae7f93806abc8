import { expect, test } from './fixtures/index'
import { ui } from './ui'

test('a paused loop is stepped one iteration at a time, its ready queue shown and changing, then resumed', async ({ page, saveScreenshot }) => {
  const u = ui(page)
  await u.openLauncher('workers-heartbeat')
  const dialog = page.getByRole('dialog')
  await dialog.getByLabel('iterations').fill('1000')
  await dialog.getByRole('radio', { name: '1×' }).check()
  await dialog.getByRole('button', { name: 'Run', exact: true }).click()
  await expect(u.stateOf(u.row('worker-3'))).toHaveText(/waiting|running/)

  const controls = page.getByRole('region', { name: /^Loop controls of workers-heartbeat/ })
  const state = controls.getByTestId('loop-state')
  await expect(state).toHaveText('running')
  await controls.getByRole('button', { name: '❚❚ Pause' }).click()
  await expect(state).toHaveText('paused')

  // Paused: the four tasks sleep; the timer heap says whose sleep fires when.
  const inspector = controls.getByRole('region', { name: 'Loop inspector' })
  const timers = inspector.getByTestId('timer-heap').getByRole('listitem')
  await expect(timers.filter({ hasText: /sleep of Task main/ })).toHaveCount(1)
  for (const w of ['worker-1', 'worker-2', 'worker-3']) await expect(timers.filter({ hasText: new RegExp(`sleep of Task ${w} `) })).toHaveCount(1)
  await saveScreenshot('paused-timer-heap')

  // Step until an iteration has fired sleeps: the tasks they woke are the ready queue, in order.
  const step = controls.getByRole('button', { name: 'Step one iteration' })
  const ready = inspector.getByTestId('ready-queue').getByRole('listitem')
  for (let i = 0; i < 20 && (await ready.count()) === 0; i++) {
    await step.click()
    await expect(state).toHaveText('paused')
    await expect(step).toBeEnabled()
  }
  await expect(ready.first()).toHaveText(/task step\s*step of Task (main|worker-\d)/)
  const before = await ready.allTextContents()
  await saveScreenshot('ready-queue-before-step')

  // One more iteration runs exactly those steps: each task prints and sleeps again, so the queue changes.
  await step.click()
  await expect(state).toHaveText('paused')
  await expect.poll(async () => (await ready.allTextContents()).join('|'), { message: 'the ready queue changed after one iteration' }).not.toBe(before.join('|'))
  await saveScreenshot('ready-queue-after-step')

  // An entry names its task: clicking it selects that task.
  const entry = timers.first().getByRole('button')
  const named = /sleep of Task (\S+) \(#\d+\)/.exec((await entry.textContent()) ?? '')?.[1]
  expect(named).toMatch(/^(main|worker-\d)$/)
  await entry.click()
  await expect(u.details.getByRole('heading', { name: named! })).toBeVisible()

  await controls.getByRole('button', { name: '▶ Resume' }).click()
  await expect(state).toHaveText('running')
  await expect(inspector).toHaveCount(0)
  await saveScreenshot('resumed')
})
