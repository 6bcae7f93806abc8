// Preloaded (`--import`) into every editor program's child: the app holds the write end of the
// child's stdin, so when the app dies — even killed, with no chance to stop its children — stdin
// ends, and the child kills itself. The watch runs in a worker thread with its own event loop: a
// program blocked in `while (true) {}` never turns its main loop again, but its worker still sees
// the end of stdin. Unref'd, the worker never keeps a finished program alive.
import { Worker } from 'node:worker_threads'

const WATCH = `
const { Socket } = require('node:net')
const die = () => process.kill(process.pid, 'SIGKILL')
// fd 0 is a pipe: a socket in this thread's own loop (fs reads on it would fail with EAGAIN).
const stdin = new Socket({ fd: 0, readable: true, writable: false })
stdin.on('data', () => {})
stdin.on('end', die)
stdin.on('close', die)
`

if (!process.stdin.isTTY) new Worker(WATCH, { eval: true }).unref()
