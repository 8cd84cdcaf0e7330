// Mutation testing of the merge kernel and the device's apply paths (npm run mutate, not part
// of CI): every rule of shared/sync/kernel.ts, and of applyPushResults / applyPulledRows with the
// helpers only they use (electron/core/db/repos/sync.ts, by line range: keep the ranges on those
// functions when the file changes), is changed one at a time and their tests must notice.
// Target: at least 85% of the mutants killed. The HTML report is written to reports/mutation/.
/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  testRunner: 'vitest',
  plugins: ['@stryker-mutator/vitest-runner'],
  vitest: { configFile: 'vitest.stryker.config.ts', related: false },
  mutate: ['shared/sync/kernel.ts', 'electron/core/db/repos/sync.ts:134-262', 'electron/core/db/repos/sync.ts:312-468'],
  coverageAnalysis: 'perTest',
  checkers: [],
  concurrency: 1,
  // Only what the tests need is copied into the sandbox (the apply paths' tests open a real store).
  ignorePatterns: ['/*', '!/shared', '!/electron', '!/migrations', '!/data', '!/package.json', '!/tsconfig*.json', '!/vitest.stryker.config.ts'],
  tempDirName: '.stryker-tmp',
  reporters: ['clear-text', 'progress', 'html', 'json'],
  htmlReporter: { fileName: 'reports/mutation/sync.html' },
  jsonReporter: { fileName: 'reports/mutation/sync.json' },
  thresholds: { high: 90, low: 85, break: 85 },
}
