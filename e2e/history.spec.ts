import { readFile } from 'node:fs/promises'
import { expect, test } from './fixtures/index'
import { ui } from './ui'

test('history shows a finished run with its tasks and log', async ({ page, saveScreenshot }) => {
  const u = ui(page)
  await u.runButton('workers-heartbeat').click()
  await expect(u.runStatus).toHaveText('done')

  await page.getByRole('button', { name: 'All runs' }).click()
  const runs = page.getByRole('region', { name: 'Past runs' })
  const run = runs.getByRole('row').filter({ hasText: 'workers-heartbeat' })
  await expect(run).toContainText('done')
  await run.getByRole('button', { name: 'workers-heartbeat' }).click()

  const detail = page.getByRole('region', { name: 'Run details' })
  await expect(detail.getByRole('table', { name: /^Tasks of run / })).toContainText('worker-3')
  await expect(detail.getByRole('listitem').filter({ hasText: 'main msg' })).toHaveCount(2)
  await expect(detail.getByRole('listitem').filter({ hasText: 'worker-1 msg' })).toHaveCount(2)
  await expect(detail.getByRole('button', { name: 'Export CSV' })).toBeEnabled()

  const download = page.waitForEvent('download')
  await detail.getByRole('button', { name: 'Export JSON' }).click()
  const file = await download
  expect(file.suggestedFilename()).toMatch(/^loopwatch-run-\d+\.json$/)
  const doc = JSON.parse(await readFile((await file.path())!, 'utf8')) as { format: string; run: { scenario: string }; tasks: { name: string }[] }
  expect(doc.format).toBe('loopwatch-run')
  expect(doc.run.scenario).toBe('workers-heartbeat')
  expect(doc.tasks.map((t) => t.name)).toContain('worker-3')

  // The Perfetto trace: one named track per task, each with its slice.
  const traceDownload = page.waitForEvent('download')
  await detail.getByRole('button', { name: 'Export trace' }).click()
  const traceFile = await traceDownload
  expect(traceFile.suggestedFilename()).toMatch(/^loopwatch-run-\d+\.trace\.json$/)
  const trace = JSON.parse(await readFile((await traceFile.path())!, 'utf8')) as { traceEvents: { ph: string; name: string; tid: number; args?: { name?: string } }[] }
  const tracks = trace.traceEvents.filter((e) => e.ph === 'M' && e.name === 'thread_name').map((e) => e.args?.name ?? '')
  expect(tracks.some((n) => n.startsWith('worker-3 #'))).toBe(true)
  expect(trace.traceEvents.filter((e) => e.ph === 'X').map((e) => e.name)).toEqual(expect.arrayContaining(['main', 'worker-1', 'worker-2', 'worker-3']))
  await saveScreenshot('history-run')
})

test('an endless run keeps its first and last lines, says how many it left out, and pages the rest', async ({ page, api, saveScreenshot }) => {
  const { runId } = await api.call('scenario:start', { id: 'stats-daemon', params: { interval: 1, iterations: null }, clock: 'virtual' })
  await expect.poll(async () => (await api.call('history:get', { runId, logLimit: 1 })).run.logsOmitted, { timeout: 15_000 }).toBeGreaterThan(5000)
  await api.call('run:stop', { runId, graceMs: 1000 })
  await expect.poll(async () => (await api.call('history:get', { runId, logLimit: 1 })).run.outcome).not.toBe('running')
  const omitted = (await api.call('history:get', { runId, logLimit: 1 })).run.logsOmitted

  await page.getByRole('button', { name: 'All runs' }).click()
  await page.getByRole('region', { name: 'Past runs' }).getByRole('button', { name: 'stats-daemon' }).click()
  const detail = page.getByRole('region', { name: 'Run details' })
  const lines = detail.locator('ol.log > li:not(.gap)')
  await expect(lines).toHaveCount(500)
  await expect(detail.getByRole('heading', { name: /^Log/ })).toHaveText(`Log (2,000 kept · ${omitted.toLocaleString('en-US')} left out)`)
  await detail.getByRole('button', { name: 'Show more lines (500 of 2,000)' }).click()
  await expect(lines).toHaveCount(1000)
  await detail.getByRole('button', { name: /Show more lines/ }).click()
  await expect(lines).toHaveCount(1500)
  const gap = detail.getByRole('note')
  await expect(gap).toHaveText(`… ${omitted.toLocaleString('en-US')} lines left out: the history keeps a run's first 1,000 and last 1,000 lines …`)
  await gap.scrollIntoViewIfNeeded()
  await saveScreenshot('history-endless-gap')
})

test('the retention settings show the defaults and save a new bound that deletes older runs', async ({ page, api, saveScreenshot }) => {
  for (let i = 0; i < 3; i++) {
    await api.call('scenario:start', { id: 'awaitables', clock: 'virtual' })
    await expect.poll(async () => (await api.call('runs:list')).every((r) => r.status !== 'running')).toBe(true)
  }
  await page.getByRole('button', { name: 'All runs' }).click()
  const runs = page.getByRole('region', { name: 'Past runs' }).getByRole('row').filter({ hasText: 'awaitables' })
  await expect(runs).toHaveCount(3)
  await page.getByRole('button', { name: 'Retention…' }).click()
  const panel = page.getByRole('form', { name: 'History retention' })
  const runsField = panel.getByLabel('Keep at most (runs)')
  await expect(panel.getByLabel('Keep runs for (days)')).toHaveValue('30')
  await expect(runsField).toHaveValue('1000')
  await expect(panel.getByLabel('Keep the database under (MB)')).toHaveValue('500')
  await runsField.fill('0')
  await expect(panel.getByRole('alert')).toHaveText('Keep at most (runs): a whole number from 1 to 1,000,000')
  await expect(panel.getByRole('button', { name: 'Save and apply' })).toBeDisabled()
  await runsField.fill('2')
  await panel.getByRole('button', { name: 'Save and apply' }).click()
  await expect(runs).toHaveCount(2)
  await expect(panel).toContainText('last applied: 1 run and 0 done jobs deleted')
  expect((await api.call('retention:get')).policy).toEqual({ maxAgeDays: 30, maxRuns: 2, maxMegabytes: 500 })
  await saveScreenshot('history-retention')
})
