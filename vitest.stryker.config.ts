import { defineConfig } from 'vitest/config'

// Mutation testing (npm run mutate): the tests that judge the merge kernel's rules, run in Node
// without the app's projects (Stryker's vitest runner drives one plain config).
export default defineConfig({
  test: {
    environment: 'node',
    include: ['shared/sync/kernel.test.ts'],
  },
})
