// The editor, as a person uses it: write a program in the window (CodeMirror), run it as a child
// process watched through the app's hub, steer its tasks (cancel, deadline), stop it; then a
// program blocked in `while (true) {}`: the page stays responsive and Stop kills the child. And a
// compile error shows inline at its line, and nothing runs.
import { execFileSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import type { Page } from '@playwright/test'
import type { ProgramRunInfo } from '../src/shared/program-contract'
import { expect, test } from './fixtures/index'
import { ui } from './ui'
import { alive } from '../test/support/processes'

const THREE_TASKS = `import { CancelledError, createTask, gather, run, sleep } from 'loopwatch'

async function looper(): Promise<void> {
  try {
    for (;;) {
      console.log('looper: tick')
      await sleep(300)
    }
  } catch (error) {
    if (error instanceof CancelledError) console.log('looper: cleanup after cancel')
    throw error
  }
}

async function main(): Promise<void> {
  const tasks = [
    createTask(looper, { name: 'looper' }),
    createTask(() => sleep(600_000), { name: 'waiter' }),
    createTask(async () => { for (;;) await sleep(1000) }, { name: 'worker' }),
  ]
  await gather(tasks, { returnExceptions: true })
}

await run(main)
`

const BLOCKED = `import { createTask, run, sleep } from 'loopwatch'

await run(async () => {
  await createTask(async () => {
    console.log('about to block')
    await sleep(100)
    while (true) {}
  }, { name: 'spinner' })
})
`


function editorOf(page: Page) {
  const view = page.getByRole('region', { name: 'Program editor' })
  return {
    view,
    content: view.locator('.cm-content'),
    problems: view.getByRole('status', { name: 'Compile problems' }),
    run: view.getByRole('status', { name: 'Program run' }),
    async write(text: string) {
      await view.locator('.cm-content').click()
      await page.keyboard.press('Control+a')
      await page.keyboard.press('Delete')
      await view.locator('.cm-content').fill(text)
    },
  }
}

/** CPU time the process has used, in clock ticks (utime + stime of /proc/<pid>/stat). */
function cpuTicks(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
  return Number(fields[11]) + Number(fields[12])
}

/** The pid the rail shows for a source ("pid 12345 · real · 3 tasks"). */
async function pidShown(page: Page, sourceId: string): Promise<number> {
  const meta = (await page.locator(`[data-source="${sourceId}"] .s-meta`).textContent()) ?? ''
  const m = /pid (\d+)/.exec(meta)
  expect(m, meta).not.toBeNull()
  return Number(m![1])
}

test.describe('the editor', () => {
  test.skip(({ loopwatchHost }) => loopwatchHost !== 'web', 'the editor’s children are checked with ps on this machine (web host)')

  test('write a program with three tasks, run it, cancel, deadline, stop; then a blocked one is killed and the page stays responsive', async ({ page, api, saveScreenshot }) => {
    test.setTimeout(120_000)
    const u = ui(page)
    await page.evaluate(() => {
      const w = globalThis as unknown as { editorCsp: string[]; document: { addEventListener(t: string, l: (e: { effectiveDirective: string }) => void): void } }
      w.editorCsp = []
      w.document.addEventListener('securitypolicyviolation', (e) => w.editorCsp.push(e.effectiveDirective))
    })
    await page.getByRole('button', { name: 'New program' }).click()
    const ed = editorOf(page)
    await expect(ed.content).toContainText("from 'loopwatch'") // the template
    await ed.write(THREE_TASKS)
    await ed.view.getByLabel('Name').fill('three-tasks')
    await expect(ed.problems).toContainText('✓ compiles')
    // Completion of the runtime's exports as you type.
    await ed.content.press('Control+End')
    await page.keyboard.type('\ncreateT')
    await expect(page.locator('.cm-tooltip-autocomplete')).toContainText('createTask')
    await page.keyboard.press('Escape')
    await ed.write(THREE_TASKS)
    await expect(ed.problems).toContainText('✓ compiles')

    await ed.view.getByRole('radio', { name: '1×' }).check()
    await ed.view.getByRole('button', { name: 'Run', exact: true }).click()
    // It runs as a child process: its tasks live in the table, scoped to its source.
    for (const name of ['looper', 'waiter', 'worker']) await expect(u.row(name)).toBeVisible({ timeout: 20_000 })
    await expect(u.stateOf(u.row('waiter'))).toHaveText(/waiting/)
    const first = (await api.call('programs:list')).find((p) => p.name === 'three-tasks')!
    expect(first.sourceId).not.toBeNull()
    expect(await pidShown(page, first.sourceId!)).toBe(first.pid)
    expect(first.pid).not.toBe(process.pid)

    // Cancel the looping one: its cleanup line is printed.
    await u.row('looper').click()
    await page.keyboard.press('c')
    await u.details.getByRole('button', { name: 'Cancel', exact: true }).click()
    await expect(u.stateOf(u.row('looper'))).toHaveText(/cancelled/)
    await page.getByRole('tab', { name: 'Output' }).click()
    await expect(page.getByLabel('Program output')).toContainText('looper: cleanup after cancel')

    // A deadline on another: it fires, cancel source "deadline".
    await u.row('waiter').click()
    await page.keyboard.press('d')
    await page.keyboard.press('Control+a')
    await page.keyboard.type('1')
    await u.details.getByRole('button', { name: 'Set deadline' }).click()
    await expect(u.stateOf(u.row('waiter'))).toHaveText(/cancelled/, { timeout: 15_000 })
    await expect(u.cancelSourceOf(u.row('waiter'))).toHaveText('deadline')
    await expect(u.stateOf(u.row('worker'))).toHaveText(/waiting/)

    await page.getByRole('button', { name: 'Editor', exact: true }).click()
    await expect(ed.run).toContainText('running')
    await saveScreenshot('editor-run-going')

    // Stop the run: it ends gracefully.
    await ed.view.getByRole('button', { name: 'Stop', exact: true }).click()
    await expect(ed.run).toContainText('stopped gracefully', { timeout: 15_000 })
    await expect.poll(() => alive(first.pid!)).toBe(false)

    // Its history run keeps the program: reopened in the editor, it is the same text.
    await ed.write('// replaced\n')
    await page.getByRole('button', { name: 'All runs' }).click()
    await page.getByRole('button', { name: 'agent:three-tasks' }).first().click()
    await page.getByRole('button', { name: 'Open in editor' }).click()
    await expect(ed.content).toContainText('looper: cleanup after cancel')
    await expect(ed.view).toContainText(/history run #\d+/)

    // A program blocked in a synchronous loop: the window answers; Stop kills the child.
    await ed.write(BLOCKED)
    await ed.view.getByLabel('Name').fill('blocked')
    await expect(ed.problems).toContainText('✓ compiles')
    await ed.view.getByRole('button', { name: 'Run', exact: true }).click()
    await expect(u.row('spinner')).toBeVisible({ timeout: 20_000 })
    await page.getByRole('tab', { name: 'Output' }).click()
    await expect(page.getByLabel('Program output')).toContainText('about to block')
    const blocked = (await api.call('programs:list')).find((p) => p.name === 'blocked')!
    const pid = await pidShown(page, blocked.sourceId!)
    expect(pid).toBe(blocked.pid)
    // Blocked for real: after its line it burns half a second of CPU (its sleep is 100 ms).
    const ticks = cpuTicks(pid)
    await expect.poll(() => cpuTicks(pid), { timeout: 10_000 }).toBeGreaterThanOrEqual(ticks + 50)
    // The page answers within a second: another view renders.
    const t0 = Date.now()
    await page.getByRole('button', { name: 'All runs' }).click()
    await expect(page.getByRole('region', { name: 'Run details' })).toBeVisible({ timeout: 1000 })
    expect(Date.now() - t0).toBeLessThan(1000)
    await page.getByRole('button', { name: 'Back to live tasks' }).click()

    // Stop from the Sources list: no answer within the grace, so the app kills its child.
    await u.source(blocked.sourceId!).getByRole('button', { name: 'Stop blocked' }).click()
    await expect.poll(() => alive(pid), { timeout: 15_000 }).toBe(false)
    expect(() => execFileSync('ps', ['-p', String(pid)])).toThrow() // ps exits 1: no such process
    const ended = (await api.call('programs:list')).find((p: ProgramRunInfo) => p.runKey === blocked.runKey)!
    expect(ended).toMatchObject({ state: 'killed', stoppedHow: 'killed' })
    await page.getByRole('button', { name: 'Editor', exact: true }).click()
    await expect(ed.run).toContainText('killed (SIGKILL)')
    await saveScreenshot('editor-blocked-killed')
    expect(await page.evaluate(() => (globalThis as unknown as { editorCsp: string[] }).editorCsp)).toEqual([])
  })

  test('a compile error shows inline at its line, and nothing runs', async ({ page, api, saveScreenshot }) => {
    await page.getByRole('button', { name: 'New program' }).click()
    const ed = editorOf(page)
    await expect(ed.content).toContainText("from 'loopwatch'")
    await ed.write("import { run } from 'loopwatch'\n\nconst x: = 1\nawait run(async () => console.log(x))\n")
    await expect(ed.problems).toContainText('1 problem')
    await expect(ed.problems).toContainText('line 3:10')
    // Inline: the error is underlined on line 3, with a marker in the gutter.
    const lines = ed.view.locator('.cm-line')
    await expect(lines.nth(2).locator('.cm-lintRange-error')).toHaveCount(1)
    await expect(lines.nth(0).locator('.cm-lintRange-error')).toHaveCount(0)
    await expect(ed.view.locator('.cm-lint-marker-error')).toHaveCount(1)
    await ed.view.getByRole('button', { name: 'Run', exact: true }).click()
    await expect(ed.problems).toContainText('nothing runs until it compiles')
    expect(await api.call('programs:list')).toEqual([])
    expect(await api.call('sources:list')).toEqual([])
    await saveScreenshot('editor-inline-error')

    // "Edit and run" on a course program opens its TypeScript port as a plain user program.
    await ui(page).openLauncher('graceful-cancel')
    await page.getByRole('dialog').getByRole('button', { name: 'Edit and run' }).click()
    await expect(page.getByRole('dialog')).toBeHidden()
    await expect(ed.view).toContainText('programs/course/graceful-cancel.ts')
    // Whatever the port's wording, it is the course's program written against 'loopwatch'.
    await expect(ed.content).toContainText("from 'loopwatch'")
    await expect(ed.content).toContainText('db_operation')
    await expect(ed.problems).toContainText('✓ compiles')
  })
})

test.describe('the editor in dark mode', () => {
  test.use({ colorScheme: 'dark' })
  test('code colours follow the system theme', async ({ page, saveScreenshot }) => {
    await page.getByRole('button', { name: 'New program' }).click()
    const keyword = page.getByRole('region', { name: 'Program editor' }).locator('.cm-content span', { hasText: /^import$/ }).first()
    await expect(keyword).toBeVisible()
    // The dark palette's keyword colour (--hl-keyword), not CodeMirror's light default.
    await expect(keyword).toHaveCSS('color', 'rgb(201, 155, 255)')
    await saveScreenshot('editor-dark')
  })
})
