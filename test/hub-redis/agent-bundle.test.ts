// ioredis stays out of the agent's default path: `loopwatch/agent` (watch.ts) reaches it only
// through a dynamic import, taken when watch({ redis }) is used.
import { build } from 'esbuild'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { repoRoot } from '../scenarios/helpers'

describe('the agent bundle', () => {
  it('imports ioredis only dynamically, from the Redis transport alone', async () => {
    const result = await build({
      entryPoints: [join(repoRoot, 'src/agent/watch.ts')],
      bundle: true,
      write: false,
      platform: 'node',
      format: 'esm',
      metafile: true,
      logLevel: 'silent',
      external: ['ioredis', 'bullmq'],
    })
    const imports = Object.entries(result.metafile.inputs).flatMap(([file, input]) => input.imports.filter((i) => /^(ioredis|bullmq)$/.test(i.path)).map((i) => ({ file, path: i.path, kind: i.kind })))
    expect(imports).toEqual([{ file: 'src/agent/redis-transport.ts', path: 'ioredis', kind: 'dynamic-import' }])
  })
})
