// Every time the window shows is seconds with three decimals in tabular figures (UI.md), so one
// module formats them all and the tests pin the rounding.

/**
 * Milliseconds as seconds with three decimals: `formatSeconds(1234.5)` → `"1.235"`.
 * `null`/`undefined`/non-finite give an em dash, so a missing time never prints `NaN`.
 */
export function formatSeconds(ms: number | null | undefined): string {
  if (ms == null || !Number.isFinite(ms)) return '—'
  return (Math.round(ms) / 1000).toFixed(3)
}

/** A duration with its unit: `formatDuration(4000)` → `"4.000 s"`. */
export function formatDuration(ms: number | null | undefined): string {
  const s = formatSeconds(ms)
  return s === '—' ? s : `${s} s`
}

/**
 * A deadline countdown: time left until `deadline` at `now`, both on the task's clock.
 * `formatCountdown(5000, 3800)` → `"1.200 s"`; once past → `"expired"`; no deadline → `"—"`.
 */
export function formatCountdown(deadline: number | null | undefined, now: number): string {
  if (deadline == null || !Number.isFinite(deadline)) return '—'
  const left = deadline - now
  if (left <= 0) return 'expired'
  return `${formatSeconds(left)} s`
}

/** Wall-clock time of day (HH:MM:SS) for history lists, in the viewer's locale. */
export function formatWallTime(epochMs: number): string {
  return new Date(epochMs).toLocaleTimeString(undefined, { hour12: false })
}

/** Wall-clock date and time for history lists. */
export function formatWallDateTime(epochMs: number): string {
  const d = new Date(epochMs)
  return `${d.toLocaleDateString()} ${d.toLocaleTimeString(undefined, { hour12: false })}`
}

/** A rate per second with at most one decimal: `formatRate(812.34)` → `"812/s"`, `2.25` → `"2.3/s"`. */
export function formatRate(perSecond: number | null | undefined): string {
  if (perSecond == null || !Number.isFinite(perSecond)) return '—'
  return perSecond >= 100 ? `${Math.round(perSecond)}/s` : `${perSecond.toFixed(1)}/s`
}
