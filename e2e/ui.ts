// Locators the specs share: the window's regions by their accessible names, so every spec reads
// like what a person does ("click Run beside graceful-cancel", "the row of db_operation").
import type { Locator, Page } from '@playwright/test'
import type { DaemonId } from '../src/shared/snapshots'

export function ui(page: Page) {
  const grid = page.getByRole('grid', { name: 'Tasks' })
  const details = page.getByRole('complementary', { name: 'Task details' })
  return {
    grid,
    details,
    /** The "Run" button beside a program of the course in the left rail. */
    runButton: (scenarioId: string) => page.locator(`[data-scenario="${scenarioId}"]`).getByRole('button', { name: 'Run', exact: true }),
    /** Opens a program's launcher (its title button in the rail). */
    openLauncher: (scenarioId: string) => page.locator(`[data-scenario="${scenarioId}"] button`).first().click(),
    /** The table row of the task with this exact name. */
    row: (name: string): Locator => grid.getByRole('row').filter({ has: page.locator('.name', { hasText: new RegExp(`^${name}$`) }) }),
    /** The row's state cell (icon + word). */
    stateOf: (row: Locator) => row.getByRole('gridcell').nth(0),
    /** The row's cancel source cell. */
    cancelSourceOf: (row: Locator) => row.getByRole('gridcell').nth(6),
    /** Log lines in the details panel, in print order. */
    logLines: details.getByRole('region', { name: 'Logs' }).getByRole('listitem'),
    daemonSwitch: (title: string) => page.getByRole('switch', { name: title }),
    /** Opens a daemon's settings and types a value. */
    async setDaemonSetting(daemon: DaemonId, key: string, value: string) {
      const item = page.locator(`[data-daemon="${daemon}"]`)
      await item.locator('summary').click()
      await item.getByLabel(key, { exact: true }).fill(value)
    },
    /** The run status pill in the top bar. */
    runStatus: page.locator('header .status'),
    /** The table's scope picker (this app, then each source and its loops). */
    scopePicker: page.getByLabel('Show tasks of'),
    /** The rail's Sources section, and one connected process's entry in it (by its source id). */
    sources: page.getByRole('region', { name: 'Sources' }),
    source: (sourceId: string) => page.locator(`[data-source="${sourceId}"]`),
  }
}
