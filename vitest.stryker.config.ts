import { resolve } from 'node:path'
import { defineConfig } from 'vitest/config'

// Mutation testing (npm run mutate): the tests that judge the merge kernel's rules and the
// device's apply paths, run in Node without the app's projects (Stryker's vitest runner drives
// one plain config). The apply paths' tests open an encrypted store with the test key.
export default defineConfig({
  test: {
    environment: 'node',
    env: { GRIDDESK_KEY_FILE: resolve(import.meta.dirname, 'electron/core/crypto/test-store.key') },
    include: ['shared/sync/kernel.test.ts', 'electron/core/db/repos/sync.test.ts'],
  },
})
