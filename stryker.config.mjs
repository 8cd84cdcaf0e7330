// Mutation testing of the merge kernel (npm run mutate, not part of CI): every rule of
// shared/sync/kernel.ts is changed one at a time and its tests must notice. Target: at least 85%
// of the mutants killed. The HTML report is written to reports/mutation/.
/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  testRunner: 'vitest',
  plugins: ['@stryker-mutator/vitest-runner'],
  vitest: { configFile: 'vitest.stryker.config.ts', related: false },
  mutate: ['shared/sync/kernel.ts'],
  coverageAnalysis: 'perTest',
  checkers: [],
  concurrency: 1,
  // Only what the kernel's tests need is copied into the sandbox.
  ignorePatterns: ['/*', '!/shared', '!/package.json', '!/tsconfig*.json', '!/vitest.stryker.config.ts'],
  tempDirName: '.stryker-tmp',
  reporters: ['clear-text', 'progress', 'html', 'json'],
  htmlReporter: { fileName: 'reports/mutation/kernel.html' },
  jsonReporter: { fileName: 'reports/mutation/kernel.json' },
  thresholds: { high: 90, low: 85, break: 85 },
}
