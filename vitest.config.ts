import { resolve } from 'node:path'
import react from '@vitejs/plugin-react'
import { defineConfig } from 'vitest/config'

// Every device store is encrypted: tests (and the processes they start) open theirs with this
// test-only key file unless a test passes its own key.
// Test HQ servers listen on plain http://127.0.0.1: the development flag allows exactly that
// (the TLS tests serve HTTPS and do not need it).
const env = { GRIDDESK_KEY_FILE: resolve(import.meta.dirname, 'electron/core/crypto/test-store.key'), GRIDDESK_ALLOW_INSECURE_HTTP: '1' }

export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          environment: 'node',
          env,
          include: [
            'electron/**/*.test.ts',
            'shared/**/*.test.ts',
            'server/**/*.test.ts',
            'bench/**/*.test.ts',
            'lint-fixtures/*.test.ts',
            'scripts/*.test.mjs',
          ],
          testTimeout: 60_000,
          // Set-up starts real HQ servers and loads demo counties; on a loaded 2-core machine that
          // can take longer than vitest's 10 s default.
          hookTimeout: 120_000,
        },
      },
      {
        plugins: [react()],
        test: {
          name: 'renderer',
          environment: 'jsdom',
          include: ['renderer/**/*.test.{ts,tsx}'],
          setupFiles: ['renderer/src/test-setup.ts'],
        },
      },
      {
        test: {
          name: 'e2e',
          environment: 'node',
          env,
          include: ['e2e/**/*.e2e.test.ts'],
          testTimeout: 120_000,
          hookTimeout: 120_000,
          fileParallelism: false,
          // The page answers in its own time on a loaded CI machine: polls wait like locators do.
          expect: { poll: { timeout: 15_000 } },
        },
      },
    ],
  },
})
