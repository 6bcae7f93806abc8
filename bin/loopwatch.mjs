#!/usr/bin/env node
// `loopwatch <command>` (`npx loopwatch serve`, `npx loopwatch scenario <id>` in a clone). Plain
// JavaScript so Node runs it as it is; it registers tsx's loader in this same process and hands
// over to the TypeScript CLI: no wrapper process, so signals reach the code that handles them.
import { register } from 'tsx/esm/api'

register()
const { runLoopwatchProcess } = await import('../src/main/cli/entry.ts')
await runLoopwatchProcess(process.argv.slice(2))
