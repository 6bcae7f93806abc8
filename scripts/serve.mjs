// `npm run serve [-- --port N --data-dir D]`: builds the renderer, then runs the browser host in
// this same process (`loopwatch serve --build`). package.json runs it with `exec`, so npm's shell
// is replaced and npm's SIGTERM reaches the host itself; should a launcher above us die without
// passing a signal on, the host notices its parent is gone and shuts down gracefully too.
import { register } from 'tsx/esm/api'

register()
const { runLoopwatchProcess } = await import('../src/main/cli/entry.ts')
await runLoopwatchProcess(['serve', '--build', ...process.argv.slice(2)])
