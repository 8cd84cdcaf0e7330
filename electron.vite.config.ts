import { resolve } from 'node:path'
import react from '@vitejs/plugin-react'
import { defineConfig } from 'electron-vite'
import { BUNDLED_DEPS } from './scripts/bundledDeps'

export default defineConfig({
  main: {
    build: {
      outDir: 'out/main',
      // The import worker is its own entry (out/main/import-worker.js): import/jobs.ts starts it
      // for large files so that reading and writing them never blocks the main process. Browser
      // mode is one too (out/main/devserver.js, `npm run serve`): both shells start from a
      // pre-built file, not from TypeScript compiled at launch.
      rollupOptions: {
        input: {
          index: resolve('electron/main/index.ts'),
          'import-worker': resolve('electron/core/import/worker.ts'),
          devserver: resolve('electron/devserver/main.ts'),
        },
      },
      // What start-up needs is bundled in; the rest loads from node_modules on first use.
      externalizeDeps: { exclude: BUNDLED_DEPS },
    },
  },
  preload: {
    build: {
      outDir: 'out/preload',
      rollupOptions: {
        input: { index: resolve('electron/preload/index.ts') },
        // A sandboxed preload cannot load ES modules.
        output: { format: 'cjs', entryFileNames: '[name].cjs' },
      },
    },
  },
  renderer: {
    root: 'renderer',
    plugins: [react()],
    build: {
      // GRIDDESK_RENDERER_DIR builds the renderer elsewhere, so parallel test runs don't collide.
      outDir: process.env.GRIDDESK_RENDERER_DIR ?? 'out/renderer',
      rollupOptions: { input: { index: resolve('renderer/index.html') } },
    },
  },
})
