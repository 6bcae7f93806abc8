// `npm run bench`: bundles the benchmark with esbuild (no tsx helpers in the hot path, as in the
// production bundle) and runs it under plain Node.
import { build } from 'esbuild'
import { spawnSync } from 'node:child_process'

await build({
  entryPoints: ['bench/index.ts', 'bench/hub-process.ts', 'bench/profile-one.ts'],
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  outdir: 'out/bench',
  outExtension: { '.js': '.mjs' },
  logLevel: 'warning',
  // CommonJS packages the hub may load (ioredis for the Redis transport) stay Node's to require.
  external: ['ioredis', 'bullmq'],
})
const r = spawnSync(process.execPath, ['--expose-gc', 'out/bench/index.mjs', ...process.argv.slice(2)], { stdio: 'inherit' })
process.exit(r.status ?? 1)
