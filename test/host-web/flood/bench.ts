// `npx tsx test/host-web/flood/bench.ts [snapshots|snapshotsUnread|invalidParams]…`: the floods of
// issue 8 with their figures (peak RSS, the second connection's p99 / max wait, reply sizes).
import { FLOOD_CASES } from './cases'
import { runFlood } from './flood-driver'

const names = process.argv.slice(2).length > 0 ? process.argv.slice(2) : Object.keys(FLOOD_CASES)
for (const name of names) {
  const make = FLOOD_CASES[name as keyof typeof FLOOD_CASES]
  if (!make) throw new Error(`unknown case ${name}; known: ${Object.keys(FLOOD_CASES).join(', ')}`)
  const f = await runFlood(make())
  console.log(`${name}: peak RSS ${f.peakRssMb} MB (ready ${f.readyRssMb} MB), second connection p99 ${f.p99Ms} ms, max ${f.maxMs} ms over ${f.pings} requests, replies ${JSON.stringify(f.replies)}, largest ${f.largestReplyBytes} B, flood ${f.floodMs} ms${f.died ? `, HOST DIED: ${f.died.split('\n')[0]}` : ''}`)
}
