// The window at scale (issue 13): the browser host in Debian's Chromium with a `load` run of 10,000
// and then 100,000 live tasks making about 1,000 state changes a second, and 500 runs started over
// the WebSocket. Not part of `npm test` or `npm run bench`:
//   npm run bench:renderer [-- --sizes 10000,100000] [--seconds 10] [--skip-runs] [--runs-only] [--out file]
// It serves the built renderer (out/): `npm run bench:renderer` builds first.
// Prints, per size: rAF frame interval p50/p95 over `--seconds`, filter keystroke → result shown,
// opening a task's details; then the 500 runs' time to all acknowledged and to all ended.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { parseArgs } from 'node:util'
import { chromium, type Page } from '@playwright/test'
import { connectApi, type TestApi } from '../e2e/fixtures/api-client'
import { CHROMIUM_ARGS } from '../e2e/fixtures/chromium'
import { startWebHost, type RunningWebHost } from '../e2e/fixtures/web-host'
import type { RunSummary } from '../src/shared/snapshots'

// The page's globals, for the functions run in it (this file is compiled without the DOM library).
// eslint-disable-next-line @typescript-eslint/no-explicit-any
declare const window: any, document: any, requestAnimationFrame: (cb: (t: number) => void) => number

const { values } = parseArgs({
  options: {
    sizes: { type: 'string' },
    seconds: { type: 'string' },
    runs: { type: 'string' },
    'skip-runs': { type: 'boolean' },
    'runs-only': { type: 'boolean' },
    out: { type: 'string' },
    url: { type: 'string' },
    fold: { type: 'string' },
  },
})
const SIZES = (values.sizes ?? '10000,100000').split(',').map(Number)
const SECONDS = Number(values.seconds ?? 10)
const RUNS = Number(values.runs ?? 500)
const OUT = resolve(values.out ?? 'bench/renderer-results.json')
const TARGETS = { frameP95Ms: 33, filterMs: 100, detailsMs: 150, runsAckMs: 5000 }

interface WindowFigures {
  tasks: number
  /** Task state changes the run made per second while frames were counted (from the deltas). */
  changesPerSecond: number
  frames: number
  frameP50Ms: number
  frameP95Ms: number
  /** Each measured keystroke's time to its result on screen; the figure is their median. */
  filterMs: number
  filterMaxMs: number
  detailsMs: number
  detailsMaxMs: number
}

function quantile(xs: readonly number[], q: number): number {
  const s = [...xs].sort((a, b) => a - b)
  if (s.length === 0) return NaN
  return s[Math.min(s.length - 1, Math.floor(q * s.length))]!
}
const round = (x: number) => Math.round(x * 10) / 10

async function withHost<T>(fn: (host: RunningWebHost, api: TestApi) => Promise<T>): Promise<T> {
  const dataDir = mkdtempSync(join(tmpdir(), 'lw-bench-renderer-'))
  const host = await startWebHost(dataDir)
  const api = await connectApi(host.origin, host.token)
  try {
    return await fn(host, api)
  } finally {
    api.close()
    await host.stop()
    rmSync(dataDir, { recursive: true, force: true })
  }
}

/** Polls `check` until it holds, for up to `ms`. */
async function until(what: string, ms: number, check: () => Promise<boolean> | boolean): Promise<void> {
  const end = Date.now() + ms
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`timed out after ${ms} ms waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 200))
  }
}

/** The toolbar's "N tasks" figure. */
async function shownCount(page: Page): Promise<number> {
  const text = (await page.locator('.toolbar .count').textContent()) ?? ''
  return Number(/^[\d,]+/.exec(text.trim())?.[0]?.replace(/,/g, '') ?? NaN)
}

/** In the page: ms from the next keydown to the first frame after the toolbar's count changed. */
function armKeystroke(page: Page): Promise<void> {
  return page.evaluate(() => {
    const w = window as unknown as { __lwKey?: Promise<number> }
    const count = document.querySelector('.toolbar .count')!
    const before = count.textContent
    w.__lwKey = new Promise<number>((done) => {
      // A result never shown counts as 10 s (and says so below) rather than hanging the bench.
      setTimeout(() => done(10_000), 10_000)
      const onKey = () => {
        const t0 = performance.now()
        window.removeEventListener('keydown', onKey, true)
        const poll = () => {
          if (count.textContent !== before) {
            // The frame that shows the change is painted after this callback: count to just after it.
            requestAnimationFrame(() => setTimeout(() => done(performance.now() - t0), 0))
          } else requestAnimationFrame(poll)
        }
        requestAnimationFrame(poll)
      }
      window.addEventListener('keydown', onKey, true)
    })
  })
}

async function measureWindow(size: number): Promise<WindowFigures> {
  return withHost(async (host, api) => {
    const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS, headless: true })
    try {
      const page = await browser.newPage({ viewport: { width: 1440, height: 900 } })
      page.setDefaultTimeout(60_000)
      // tsx names inner functions with an `__name` helper the page does not have.
      await page.addInitScript('globalThis.__name = (f) => f')
      await page.goto(host.url)
      await page.getByRole('heading', { name: 'Run a program from the course' }).waitFor({ timeout: 30_000 })
      // size live tasks, each waking about every size/1000 s: ~1,000 wake-ups a second from the start
      // (sleeps from 0, so the first wake-ups do not wait for the shortest sleep).
      const mean = size // ms: size tasks / 1000 per s
      const run = await api.call('scenario:start', {
        id: 'load',
        params: { tasks: size, live: size, sleeps: 10_000, minSleep: 0, maxSleep: 2 * mean },
        clock: { speed: 1 },
      })
      const started = Date.now()
      await until(`${size} tasks in the table`, 180_000, async () => (await shownCount(page)) >= size)
      console.log(`  (${size} tasks shown ${Date.now() - started} ms after the start)`)
      // Let the first wave of steps settle before counting frames.
      await page.waitForTimeout(3000)

      // Counted on a socket opened now: one open during the start took the 100,000 tasks' burst,
      // and the host closes a socket whose backlog passes 32 MB (then it would count nothing).
      const counter = await connectApi(host.origin, host.token)
      let changes = 0
      counter.on('tasks:delta', (d) => (changes += d.changed.length + d.ended.length + d.created.length))
      const t0 = Date.now()
      const intervals = await page.evaluate((seconds) => {
        return new Promise<number[]>((done) => {
          const out: number[] = []
          let last = performance.now()
          const end = last + seconds * 1000
          const tick = (t: number) => {
            out.push(t - last)
            last = t
            if (t < end) requestAnimationFrame(tick)
            else done(out)
          }
          requestAnimationFrame((t) => {
            last = t
            requestAnimationFrame(tick)
          })
        })
      }, SECONDS)
      const changesPerSecond = changes / ((Date.now() - t0) / 1000)
      counter.close()
      console.log(`  (${intervals.length} frames counted)`)

      return await measureOnPage(page, size, intervals, changesPerSecond, run as RunSummary, api)
    } catch (e) {
      await browser.contexts()[0]?.pages()[0]?.screenshot({ path: '/tmp/lw-bench-renderer-failed.png' }).catch(() => {})
      throw e
    } finally {
      await browser.close()
    }
  })
}

async function measureOnPage(page: Page, size: number, intervals: number[], changesPerSecond: number, run: RunSummary, api: TestApi): Promise<WindowFigures> {
  {
    {
      // Filter: "Task-" typed at once, then each of "1234" measured as a keystroke.
      const filter = page.locator('#task-filter')
      await filter.click()
      await filter.fill('Task-')
      await page.waitForTimeout(500)
      const keys: number[] = []
      for (const ch of '1234') {
        await armKeystroke(page)
        await page.keyboard.press(ch)
        keys.push(await page.evaluate(() => (window as unknown as { __lwKey: Promise<number> }).__lwKey))
        await page.waitForTimeout(300)
      }
      await filter.fill('')
      await page.waitForTimeout(500)
      console.log(`  (filter keystrokes: ${keys.map(round).join(', ')} ms)`)

      // Details: click a row, until its heading shows that task's name.
      const opens: number[] = []
      for (let i = 0; i < 5; i++) {
        const row = page.locator('[role="grid"] .body [role="row"][data-task-id]').nth(3 + i * 2)
        const name = (await row.locator('.name').textContent())?.trim() ?? ''
        const box = await row.boundingBox()
        if (!box) throw new Error('no row to click')
        await page.evaluate(() => {
          const w = window as unknown as { __lwDetails?: Promise<number> }
          w.__lwDetails = new Promise<number>((done) => {
            setTimeout(() => done(10_000), 10_000)
            const onDown = () => {
              const t0 = performance.now()
              window.removeEventListener('pointerdown', onDown, true)
              const poll = () => {
                const h = document.querySelector('aside.details h2.name')
                if (h && h.textContent === (window as unknown as { __lwName: string }).__lwName) {
                  requestAnimationFrame(() => setTimeout(() => done(performance.now() - t0), 0))
                } else requestAnimationFrame(poll)
              }
              requestAnimationFrame(poll)
            }
            window.addEventListener('pointerdown', onDown, true)
          })
        })
        await page.evaluate((n) => ((window as unknown as { __lwName: string }).__lwName = n), name)
        await page.mouse.click(box.x + box.width / 2, box.y + box.height / 2)
        opens.push(await page.evaluate(() => (window as unknown as { __lwDetails: Promise<number> }).__lwDetails))
        await page.keyboard.press('Escape')
        await page.waitForTimeout(300)
      }
      console.log(`  (details: ${opens.map(round).join(', ')} ms)`)
      if (process.env.LOOPWATCH_BENCH_SCREENSHOT) {
        await page.screenshot({ path: resolve(process.env.LOOPWATCH_BENCH_SCREENSHOT.replace('{n}', String(size))), timeout: 30_000 }).catch((e) => console.log(`  (no screenshot: ${e})`))
      }
      // The run is not stopped here: cancelling 100,000 tasks is the host's shutdown's to do (and not measured).
      void run
      void api
      return {
        tasks: size,
        changesPerSecond: Math.round(changesPerSecond),
        frames: intervals.length,
        frameP50Ms: round(quantile(intervals, 0.5)),
        frameP95Ms: round(quantile(intervals, 0.95)),
        filterMs: round(quantile(keys, 0.5)),
        filterMaxMs: round(Math.max(...keys)),
        detailsMs: round(quantile(opens, 0.5)),
        detailsMaxMs: round(Math.max(...opens)),
      }
    }
  }
}

/**
 * `--fold N`: a virtual-clock load run of N short tasks (1,000 at once): past the monitor's 50,000
 * the ended ones are folded out of the view, and the toolbar says how many. Prints that line.
 */
async function showFolded(n: number): Promise<string> {
  return withHost(async (host, api) => {
    const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS, headless: true })
    try {
      const page = await browser.newPage({ viewport: { width: 1440, height: 900 } })
      await page.addInitScript('globalThis.__name = (f) => f')
      await page.goto(host.url)
      await page.getByRole('heading', { name: 'Run a program from the course' }).waitFor({ timeout: 30_000 })
      await api.call('scenario:start', { id: 'load', params: { tasks: n, live: 1000, sleeps: 1, minSleep: 1, maxSleep: 10 }, clock: 'virtual' })
      const folded = page.getByTestId('folded-count')
      await folded.waitFor({ timeout: 120_000 })
      await until('the run to end', 300_000, async () => (await page.locator('header .status').textContent())?.trim() === 'done')
      await page.waitForTimeout(1000)
      const text = `${(await page.locator('.toolbar .count').textContent())?.trim()} · ${(await folded.textContent())?.trim()} (${await folded.getAttribute('title')})`
      if (process.env.LOOPWATCH_BENCH_SCREENSHOT) await page.screenshot({ path: resolve(process.env.LOOPWATCH_BENCH_SCREENSHOT.replace('{n}', `folded-${n}`)) })
      return text
    } finally {
      await browser.close()
    }
  })
}

interface RunsFigures {
  runs: number
  /** From the first send to the last `scenario:start` reply. */
  ackMs: number
  /** From the first send to every run reported ended (runs:changed). */
  endedMs: number
}

/** `RUNS` short virtual-clock runs started at once over one WebSocket, as a client of the host. */
async function measureRuns(): Promise<RunsFigures> {
  // --url: a host started by hand (e.g. under node --cpu-prof), as the browser host printed it.
  const url = values.url ? new URL(values.url) : null
  const onHost = url
    ? async (fn: (host: null, api: TestApi) => Promise<RunsFigures>) => {
        const api = await connectApi(url.origin, new URLSearchParams(url.hash.slice(1)).get('token') ?? '')
        try {
          return await fn(null, api)
        } finally {
          api.close()
        }
      }
    : withHost
  return onHost(async (_host, api) => {
    const ended = new Set<number>()
    let allEnded: () => void = () => {}
    const endedAll = new Promise<void>((r) => (allEnded = r))
    const ids = new Set<number>()
    api.on('runs:changed', (list) => {
      for (const r of list) if (r.status !== 'running' && r.status !== 'stopping') ended.add(r.runId)
      if (ids.size === RUNS && [...ids].every((id) => ended.has(id))) allEnded()
    })
    const t0 = performance.now()
    const replies = await Promise.all(
      Array.from({ length: RUNS }, () => api.invoke('scenario:start', { id: 'load', params: { tasks: 10, live: 10, sleeps: 2, minSleep: 10, maxSleep: 100 }, clock: 'virtual' })),
    )
    const ackMs = performance.now() - t0
    const failed = replies.filter((r) => !r.ok)
    if (failed.length > 0) throw new Error(`${failed.length} of ${RUNS} starts refused: ${JSON.stringify(failed[0])}`)
    for (const r of replies) if (r.ok) ids.add(r.value.runId)
    const list = await api.call('runs:list')
    for (const r of list) if (r.status !== 'running' && r.status !== 'stopping') ended.add(r.runId)
    if ([...ids].every((id) => ended.has(id))) allEnded()
    await Promise.race([endedAll, new Promise((_, fail) => setTimeout(() => fail(new Error('runs did not all end within 120 s')), 120_000))])
    return { runs: RUNS, ackMs: round(ackMs), endedMs: round(performance.now() - t0) }
  })
}

const results: { when: string; window: WindowFigures[]; runs: RunsFigures | null; targets: typeof TARGETS } = {
  when: new Date().toISOString(),
  window: [],
  runs: null,
  targets: TARGETS,
}
const verdict = (ok: boolean) => (ok ? 'met' : 'MISSED')
if (values.fold) {
  console.log(`folded: a virtual load run of ${Number(values.fold).toLocaleString('en-US')} short tasks…`)
  console.log(`  toolbar: ${await showFolded(Number(values.fold))}`)
  process.exit(0)
}
if (!values['runs-only']) {
  for (const size of SIZES) {
    console.log(`window: load run with ${size.toLocaleString('en-US')} live tasks…`)
    const f = await measureWindow(size)
    results.window.push(f)
    console.log(
      `  ${size.toLocaleString('en-US').padStart(7)} tasks  ~${f.changesPerSecond}/s changes  frame p50 ${f.frameP50Ms} ms  p95 ${f.frameP95Ms} ms (${verdict(f.frameP95Ms <= TARGETS.frameP95Ms)})` +
        `  filter ${f.filterMs} ms (max ${f.filterMaxMs}; ${verdict(f.filterMs <= TARGETS.filterMs)})  details ${f.detailsMs} ms (max ${f.detailsMaxMs}; ${verdict(f.detailsMs <= TARGETS.detailsMs)})`,
    )
  }
}
if (!values['skip-runs']) {
  console.log(`runs: ${RUNS} short virtual-clock runs started over the WebSocket…`)
  results.runs = await measureRuns()
  console.log(`  ${RUNS} runs acknowledged in ${results.runs.ackMs} ms (${verdict(results.runs.ackMs <= TARGETS.runsAckMs)}), all ended in ${results.runs.endedMs} ms`)
}
writeFileSync(OUT, `${JSON.stringify(results, null, 2)}\n`)
console.log(`wrote ${OUT}`)
