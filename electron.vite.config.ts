import { resolve } from 'node:path'
import { defineConfig } from 'electron-vite'
import { svelte } from '@sveltejs/vite-plugin-svelte'
import type { Plugin } from 'vite'
import { contentSecurityPolicy } from './src/shared/csp'

/**
 * Writes the page's CSP <meta> into index.html from src/shared/csp.ts, the function both hosts'
 * headers use, so the HTML never restates the policy. First in <head>: a policy covers only what
 * the parser meets after it.
 */
export function cspMeta(): Plugin {
  return {
    name: 'loopwatch:csp-meta',
    transformIndexHtml: () => [
      { tag: 'meta', attrs: { 'http-equiv': 'Content-Security-Policy', content: contentSecurityPolicy({ kind: 'meta' }) }, injectTo: 'head-prepend' },
    ],
  }
}

// Three builds, one per place code may run. The preload is CommonJS because a sandboxed preload
// cannot load ESM; libsql stays external (a dependency) so its N-API binary is required at run time.
export default defineConfig({
  main: {
    build: {
      rolldownOptions: { input: { index: resolve('src/main/index.ts') } },
    },
  },
  preload: {
    build: {
      rolldownOptions: {
        input: { index: resolve('src/preload/index.ts') },
        output: { format: 'cjs', entryFileNames: '[name].cjs' },
      },
    },
  },
  renderer: {
    root: 'src/renderer',
    plugins: [svelte({ configFile: resolve('svelte.config.js') }), cspMeta()],
    build: {
      rolldownOptions: { input: { index: resolve('src/renderer/index.html') } },
    },
  },
})
