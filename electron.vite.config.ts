import { resolve } from 'node:path'
import { defineConfig } from 'electron-vite'
import { svelte } from '@sveltejs/vite-plugin-svelte'

export default defineConfig({
  main: {
    build: {
      // Dependencies stay in node_modules (better-sqlite3 is native and cannot be bundled).
      externalizeDeps: true,
      rollupOptions: {
        input: {
          index: resolve('src/main/index.ts'),
          // The web transport runs in plain Node: it must never pull in `electron`.
          serve: resolve('src/main/web/serve.ts'),
          // The pull's writer thread (src/main/sync/writer.ts finds it beside the bundle).
          'pull-worker': resolve('src/main/sync/pull-worker.ts')
        }
      }
    }
  },
  preload: {
    build: {
      // A sandboxed preload cannot require() from node_modules: bundle everything into one CJS file.
      externalizeDeps: false,
      rollupOptions: {
        input: { index: resolve('src/preload/index.ts') },
        output: { format: 'cjs', entryFileNames: '[name].cjs' }
      }
    }
  },
  renderer: {
    root: resolve('src/renderer'),
    build: { rollupOptions: { input: resolve('src/renderer/index.html') } },
    plugins: [svelte()]
  }
})
