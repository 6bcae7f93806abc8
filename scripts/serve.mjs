// `npm run serve [-- --port N --data-dir D]`: builds the renderer, then runs the browser host.
import { spawn, spawnSync } from 'node:child_process'

const built = spawnSync('npx', ['electron-vite', 'build', '--logLevel', 'warn'], { stdio: 'inherit' })
if (built.status !== 0) process.exit(built.status ?? 1)
// Node with tsx's loader directly (no npx/tsx wrapper processes between us and the host), so a
// signal reaches the host once from us and once from the terminal, which it treats as one.
const child = spawn(process.execPath, ['--import', 'tsx', 'src/main/host-web/main.ts', ...process.argv.slice(2)], { stdio: 'inherit' })
// The host handles SIGINT itself (graceful shutdown); forward and wait for it.
for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => child.kill(sig))
child.on('exit', (code) => process.exit(code ?? 0))
