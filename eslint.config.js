// Lint, and the runtime-folder rule of STYLE.md: shared/ imports nothing platform-specific,
// renderer/ never imports electron/ or Node, electron/core never imports 'electron'.
import js from '@eslint/js'
import globals from 'globals'
import tseslint from 'typescript-eslint'

const nodeBuiltins = ['node:*', 'fs', 'path', 'os', 'child_process', 'crypto', 'http', 'https', 'net', 'url', 'util', 'zlib', 'stream']
const restrict = (patterns, message) => ({
  'no-restricted-imports': ['error', { patterns: patterns.map((group) => ({ group: [group], message })) }],
})

export default tseslint.config(
  { ignores: ['out/**', 'dist/**', 'release/**', 'node_modules/**', 'migrations/**', 'e2e/artifacts/**', 'bench/results/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-non-null-assertion': 'off',
    },
  },
  {
    files: ['shared/**/*.ts'],
    rules: restrict(['electron', 'electron/*', '**/electron/**', '**/renderer/**', 'react', 'react-dom', ...nodeBuiltins, 'better-sqlite3', 'drizzle-orm*'], 'shared/ is imported by both runtimes: no platform-specific imports.'),
  },
  {
    files: ['renderer/**/*.{ts,tsx}'],
    languageOptions: { globals: { ...globals.browser } },
    rules: restrict(['electron', 'electron/*', '**/electron/**', ...nodeBuiltins, 'better-sqlite3', 'drizzle-orm*', '**/server/**'], 'renderer/ runs in a sandboxed page: reach the core through src/api only.'),
  },
  {
    files: ['electron/core/**/*.ts', 'electron/cli/**/*.ts', 'electron/devserver/**/*.ts'],
    rules: restrict(['electron', 'electron/*', '**/electron/main/**', '**/electron/preload/**', '**/renderer/**'], "electron/core is plain Node: it never imports 'electron' (browser mode and the CLI run it without Electron)."),
  },
  {
    files: ['electron/core/handlers/**/*.ts'],
    ignores: ['**/*.test.ts'],
    rules: restrict(['electron', 'electron/*', 'better-sqlite3', 'drizzle-orm', 'drizzle-orm/*', '**/renderer/**'], 'SQL lives only in electron/core/db/repos (STYLE.md rule 4).'),
  },
)
