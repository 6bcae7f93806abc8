import type { AppShutdownReport, ShutdownPart, ShutdownProgress, ShutdownReport } from '../../shared/snapshots'

/** One thing to stop: a run's loop or a daemon, with how to stop it. */
export interface Stoppable {
  kind: ShutdownPart['kind']
  id: string
  title: string
  stop(graceMs: number): Promise<ShutdownReport>
}

/**
 * Stops every part at once with one grace period, streaming progress as each part finishes, and
 * sums the reports. A part whose stop throws is reported as a cleanup error, never lost.
 */
export async function shutdownAll(
  parts: Stoppable[],
  graceMs: number,
  progress: (p: ShutdownProgress) => void,
  leftRunning: AppShutdownReport['leftRunning'] = [],
): Promise<AppShutdownReport> {
  const startedWall = Date.now()
  const started = performance.now()
  const states: ShutdownPart[] = parts.map((p) => ({ kind: p.kind, id: p.id, title: p.title, state: 'waiting', report: null }))
  const send = (phase: ShutdownProgress['phase'], report: AppShutdownReport | null) =>
    progress({ phase, graceMs, startedWall, deadlineWall: startedWall + graceMs, parts: states.map((s) => ({ ...s })), report })

  send('started', null)
  await Promise.all(
    parts.map(async (part, i) => {
      const state = states[i]!
      state.state = 'stopping'
      send('stopping', null)
      try {
        state.report = await part.stop(graceMs)
      } catch (e) {
        const message = e instanceof Error ? `${e.name}: ${e.message}` : String(e)
        state.report = { graceMs, elapsedMs: performance.now() - started, finished: [], forced: [], cleanupErrors: [{ id: 0, name: part.title, message }] }
      }
      state.state = 'stopped'
      send('stopping', null)
    }),
  )
  const reports = states.map((s) => s.report!)
  const report: AppShutdownReport = {
    graceMs,
    elapsedMs: Math.round(performance.now() - started),
    parts: states.map((s) => ({ ...s })),
    totals: {
      finished: reports.reduce((n, r) => n + r.finished.length, 0),
      forced: reports.reduce((n, r) => n + r.forced.length, 0),
      cleanupErrors: reports.reduce((n, r) => n + r.cleanupErrors.length, 0),
    },
    leftRunning,
  }
  send('done', report)
  return report
}

/** The report in a few lines, for the desktop dialog and the terminal. */
export function formatShutdownReport(r: AppShutdownReport): string {
  const left = r.leftRunning.length > 0 ? [`Left running (told the app is closing): ${r.leftRunning.map((s) => s.title).join(', ')}.`] : []
  if (r.parts.length === 0) return ['Nothing was running: no tasks to stop.', ...left].join('\n')
  const lines = [
    `Stopped ${r.parts.length} part${r.parts.length === 1 ? '' : 's'} in ${(r.elapsedMs / 1000).toFixed(1)} s (grace ${(r.graceMs / 1000).toFixed(1)} s).`,
    `${r.totals.finished} task${r.totals.finished === 1 ? '' : 's'} finished cleanly, ${r.totals.forced} forced, ${r.totals.cleanupErrors} cleanup error${r.totals.cleanupErrors === 1 ? '' : 's'}.`,
  ]
  for (const p of r.parts) {
    const rep = p.report
    if (!rep) continue
    lines.push(`• ${p.title}: ${rep.finished.length} finished, ${rep.forced.length} forced${rep.forced.length ? ` (${rep.forced.map((f) => f.name).join(', ')})` : ''}`)
    for (const e of rep.cleanupErrors) lines.push(`  cleanup error in ${e.name}: ${e.message}`)
  }
  return [...lines, ...left].join('\n')
}
