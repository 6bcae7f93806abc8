// The well-behaved second connection of the flood tests, in its own process so that nothing the
// flooding client does (parsing 5 MB replies) delays its clock: one small request at a time,
// every 10 ms, until its stdin closes; then it prints its latencies (ms) as one JSON line.
import WebSocket from 'ws'

const [port, token] = process.argv.slice(2)
const ws = new WebSocket(`ws://127.0.0.1:${port}/ipc?token=${token}`, { origin: `http://127.0.0.1:${port}` })
const latencies: number[] = []
let stopping = false
let waitingSince: number | null = null

const finish = () => {
  // A request still unanswered counts with its wait so far: that is the stall it is in.
  if (waitingSince !== null) latencies.push(performance.now() - waitingSince)
  process.stdout.write(`${JSON.stringify(latencies)}\n`, () => process.exit(0))
}
process.stdin.on('end', () => {
  stopping = true
  if (waitingSince === null) finish()
})
process.stdin.resume()
ws.on('close', finish)

ws.once('open', () => {
  let id = 0
  const ping = () => {
    if (stopping) return finish()
    waitingSince = performance.now()
    ws.send(JSON.stringify({ id: ++id, channel: 'daemons:list' }))
  }
  ws.on('message', (data: Buffer) => {
    const f = JSON.parse(String(data)) as { id?: unknown }
    if (f.id !== id || waitingSince === null) return
    latencies.push(performance.now() - waitingSince)
    waitingSince = null
    if (stopping) return finish()
    setTimeout(ping, 10)
  })
  process.stdout.write('ready\n')
  ping()
})
