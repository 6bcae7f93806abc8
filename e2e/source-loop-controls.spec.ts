// A `loopwatch run` child in the window: its loop gets the same loop controls as a run's, acted on
// in its own process through its agent; its Lock shows in the Resources tab. A Python program run
// under the Python agent: its coroutine's blocking call is a slow step of its task in the Slow
// steps tab, and that task's details show where its time went, asked of its process.
import { spawn } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { appUrl } from '../src/shared/agent-protocol/index'
import { expect, test } from './fixtures/index'
import { ui } from './ui'

const repoRoot = new URL('..', import.meta.url).pathname

test('a loopwatch run child: its loop paused, stepped and resumed from the window', async ({ app, page, saveScreenshot }) => {
  test.skip(app.kind !== 'web', 'the child reads agent.json from the browser host’s data dir')
  const u = ui(page)
  const agentFile = JSON.parse(readFileSync(join(app.dataDir, 'agent.json'), 'utf8')) as { port: number; token: string }
  const child = spawn(process.execPath, [join(repoRoot, 'bin/loopwatch.mjs'), 'run', '--app', appUrl(agentFile), 'test/agent/programs/lock-ticker-run.mts'], { cwd: repoRoot, stdio: 'ignore' })
  try {
    await expect(u.row('holder')).toBeVisible({ timeout: 20_000 })
    // Its source's scope (a click on it in the rail) offers its loop's controls.
    await u.source('agent-1').getByRole('button', { name: 'lock-ticker-run.mts', exact: true }).click()
    const controls = page.getByRole('region', { name: /^Loop controls of lock-ticker-run/ })
    const state = controls.getByTestId('loop-state')
    await expect(state).toHaveText('running')
    await controls.getByRole('button', { name: '❚❚ Pause' }).click()
    await expect(state).toHaveText('paused')
    const timers = controls.getByRole('region', { name: 'Loop inspector' }).getByTestId('timer-heap').getByRole('listitem')
    await expect(timers.filter({ hasText: /sleep of Task ticker/ })).toHaveCount(1)
    await controls.getByRole('button', { name: 'Step one iteration' }).click()
    await expect(state).toHaveText('paused')
    await saveScreenshot('source-loop-paused')
    await controls.getByRole('button', { name: '▶ Resume' }).click()
    await expect(state).toHaveText('running')

    // Its Lock, read from its process: held by holder, waited on by waiter (names from global ids).
    await page.getByRole('tab', { name: 'Resources' }).click()
    const db = page.getByTestId('resources-view').locator('tr[data-resource="db"]')
    await expect(db).toContainText('Lock')
    await expect(db).toContainText('locked')
    await expect(db).toContainText(/holder #\d+/)
    await expect(db).toContainText(/waiter #\d+ acquire/)
    await saveScreenshot('source-resources')
  } finally {
    child.kill('SIGKILL')
  }
})

const BLOCKING_PY = `import asyncio, time

async def blocker():
    for _ in range(3):
        await asyncio.sleep(0.2)
        time.sleep(0.08)  # a blocking call inside a coroutine: the loop stands still 80 ms
    await asyncio.sleep(3600)

async def main():
    await asyncio.gather(asyncio.create_task(blocker(), name="blocker"), asyncio.create_task(asyncio.sleep(3600), name="idler"))

asyncio.run(main())
`

test('a Python program: its blocking call is a slow step of its task, whose details show the time spent', async ({ app, page, saveScreenshot }) => {
  test.skip(app.kind !== 'web', 'the program reads agent.json from the browser host’s data dir')
  const u = ui(page)
  const agentFile = JSON.parse(readFileSync(join(app.dataDir, 'agent.json'), 'utf8')) as { port: number; token: string }
  const dir = mkdtempSync(join(tmpdir(), 'lw-e2e-py-'))
  writeFileSync(join(dir, 'blocking.py'), BLOCKING_PY)
  const child = spawn('/usr/bin/python3', ['-m', 'loopwatch_agent', '--step-timing', '--app', appUrl(agentFile), 'blocking.py'], {
    cwd: dir,
    env: { ...process.env, PYTHONPATH: join(repoRoot, 'agents/python') },
    stdio: 'ignore',
  })
  try {
    await expect(u.row('blocker')).toBeVisible({ timeout: 20_000 })
    const tab = page.getByRole('tab', { name: /^Slow steps \(\d+\)$/ })
    await expect(tab).toHaveText(/^Slow steps \([3-9]\d*\)$/, { timeout: 15_000 })
    await tab.click()
    const table = page.getByRole('table', { name: 'Slow steps' })
    const rows = table.getByRole('row').filter({ has: page.getByRole('cell') }).filter({ hasText: 'blocker' })
    await expect(rows).toHaveCount(3)
    for (const row of await rows.all()) await expect(row.getByRole('cell').nth(0)).toHaveText(/^\d+(\.\d)? ms$/)
    await expect(table.getByRole('row').filter({ hasText: 'idler' })).toHaveCount(0)

    // A row selects its task; its details show the timing its process answered (task:timing).
    await rows.first().click()
    await expect(u.details.getByRole('heading', { name: 'blocker' })).toBeVisible()
    // The row names the task by the id its details show (its id in its process), not the app-wide one.
    const shownId = (await u.details.locator('.meta').first().textContent())!.match(/#(\d+)/)![1]
    expect(Number(shownId)).toBeLessThan(1_000_000)
    await expect(rows.first()).toContainText(`#${shownId} ·`)
    const time = u.details.getByRole('region', { name: 'Time spent' })
    await expect(time.locator('[data-figure="steps"]')).toHaveText('4') // its first step, then one per sleep
    const busy = Number((await time.locator('[data-figure="busy"]').textContent())!.replace(' ms', ''))
    expect(busy).toBeGreaterThanOrEqual(240)
    await expect(time.getByRole('img', { name: /^Step durations: 4 in all;/ })).toBeVisible()
    await expect(time.getByRole('img', { name: /^Scheduled delays \(woken → run\): 4 in all;/ })).toBeVisible()
    await saveScreenshot('python-slow-step-timing')
  } finally {
    child.kill('SIGKILL')
    rmSync(dir, { recursive: true, force: true })
  }
})
