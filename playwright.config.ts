import { defineConfig } from '@playwright/test'
import type { HostKind } from './e2e/fixtures/index'

// Each spec is written once (e2e/fixtures gives it a `page` on a fresh app) and runs in both
// projects: `web` (the browser host in Debian's Chromium) and `electron` (the desktop window,
// skipped with its reason where the Electron binary is not installed).
export default defineConfig<{ loopwatchHost: HostKind }>({
  testDir: 'e2e',
  testMatch: '**/*.spec.ts',
  // Overridable so two runs on one machine (several people or agents) do not delete each other's traces.
  outputDir: process.env.LOOPWATCH_PW_OUTPUT ?? 'test-results',
  globalSetup: './e2e/fixtures/global-setup.ts',
  timeout: 60_000,
  expect: { timeout: 10_000 },
  fullyParallel: false,
  forbidOnly: !!process.env.CI,
  retries: 0,
  // Two cores shared with the app under test: one worker keeps timings honest.
  workers: 1,
  reporter: process.env.PLAYWRIGHT_JSON_OUTPUT_NAME ? [['list'], ['json']] : [['list']],
  use: {
    viewport: { width: 1440, height: 900 },
    trace: 'retain-on-failure',
  },
  projects: [
    { name: 'web', use: { loopwatchHost: 'web' } },
    { name: 'electron', use: { loopwatchHost: 'electron' } },
  ],
})
