// A `loopwatch run` child in the window: its loop gets the same loop controls as a run's, acted on
// in its own process through its agent; its Lock shows in the Resources tab.
import { spawn } from 'node:child_process'
import { readFileSync } from 'node:fs'
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
