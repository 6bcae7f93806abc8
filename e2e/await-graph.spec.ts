import { expect, test } from './fixtures/index'
import { ui } from './ui'

test('the await graph shows main above its gather of five sleepers, follows the table and opens the task a node stands for', async ({ page, saveScreenshot }) => {
  const u = ui(page)
  // A minute per sleeper on the real clock, so the gather is still waiting while we look.
  await u.openLauncher('gather-random-sleep')
  const dialog = page.getByRole('dialog')
  await dialog.getByLabel('delays').fill('[60000, 60000, 60000, 60000, 60000]')
  await dialog.getByRole('radio', { name: '1×' }).check()
  await dialog.getByRole('button', { name: 'Run', exact: true }).click()
  await expect(u.grid.getByRole('row').filter({ hasText: /sleep/ })).toHaveCount(5)

  await page.getByRole('tab', { name: 'Await graph' }).click()
  const graph = page.getByRole('region', { name: 'Await graph' })
  const gather = graph.locator('[data-kind="gather"]')
  await expect(gather.locator('text')).toHaveText('gather of 5')
  const gatherId = (await gather.getAttribute('data-node')) ?? ''

  // main → gather → each of the five children, the edges pointing from waiter to awaited.
  const main = graph.getByRole('button', { name: 'main, waiting' })
  const mainId = (await main.getAttribute('data-node')) ?? ''
  await expect(graph.locator(`path.edge[data-from="${mainId}"][data-to="${gatherId}"]`)).toHaveCount(1)
  const toChildren = graph.locator(`path.edge[data-from="${gatherId}"]`)
  await expect(toChildren).toHaveCount(5)
  const childIds = await toChildren.evaluateAll((paths) => paths.map((p) => p.getAttribute('data-to') ?? ''))
  for (const id of childIds) await expect(graph.locator(`[data-node="${id}"][data-kind="task"]`)).toHaveAttribute('aria-label', /^Task-\d+, waiting$/)
  // Laid out top-down: main above the gather, the gather above its children.
  const top = async (id: string) => (await graph.locator(`[data-node="${id}"]`).boundingBox())!.y
  expect(await top(mainId)).toBeLessThan(await top(gatherId))
  for (const id of childIds) expect(await top(gatherId)).toBeLessThan(await top(id))
  await saveScreenshot('await-graph-gather')

  // The table's selection is the graph's: a row click highlights main's node.
  await u.row('main').click()
  await expect(main).toHaveAttribute('aria-pressed', 'true')

  // A click on a child's node selects that task: the details show it, the table row too.
  const child = graph.locator(`[data-node="${childIds[2]}"]`)
  const childName = ((await child.getAttribute('aria-label')) ?? '').replace(/, waiting$/, '')
  await child.click()
  await expect(u.details.getByRole('heading', { name: childName })).toBeVisible()
  await expect(child).toHaveAttribute('aria-pressed', 'true')
  await expect(main).toHaveAttribute('aria-pressed', 'false')
  await expect(u.row(childName)).toHaveAttribute('aria-selected', 'true')
  await saveScreenshot('await-graph-child-selected')
})

test('a gather of 120 sleepers is one block of rows under its gather node, readable after Fit', async ({ page, saveScreenshot }) => {
  const u = ui(page)
  await u.openLauncher('gather-random-sleep')
  const dialog = page.getByRole('dialog')
  await dialog.getByLabel('delays').fill(JSON.stringify(Array.from({ length: 120 }, () => 60_000)))
  await dialog.getByRole('radio', { name: '1×' }).check()
  await dialog.getByRole('button', { name: 'Run', exact: true }).click()
  await expect(u.grid.getByRole('row').filter({ hasText: /sleep/ }).first()).toBeVisible()

  await page.getByRole('tab', { name: 'Await graph' }).click()
  const graph = page.getByRole('region', { name: 'Await graph' })
  await expect(graph.locator('[data-kind="gather"] text')).toHaveText('gather of 120')
  await expect(graph.locator('[data-kind="task"]')).toHaveCount(121)
  const gatherId = (await graph.locator('[data-kind="gather"]').getAttribute('data-node')) ?? ''
  // The 120 children sit in one block (one line to it), wrapped in rows, not on one 20,000 px rank.
  const block = graph.locator(`rect.block[data-block="${gatherId}"]`)
  await expect(block).toHaveCount(1)
  await expect(graph.locator(`path.edge[data-from="${gatherId}"]`)).toHaveCount(1)
  await graph.getByRole('button', { name: 'Fit' }).click()
  const box = (await block.boundingBox())!
  const pane = (await graph.boundingBox())!
  expect(box.width).toBeLessThanOrEqual(pane.width)
  expect(box.height).toBeGreaterThan(box.width / 20)
  await saveScreenshot('await-graph-gather-120')
})
