// Lint, and the layer rules (docs/architecture.md): every runtime folder has an allow-list of what
// it may import, checked on resolved paths (import-x/no-restricted-paths), so `../../main/index`
// and a direct driver import are caught however they are spelled.
import { readdirSync } from 'node:fs'
import { join } from 'node:path'
import js from '@eslint/js'
import { createTypeScriptImportResolver } from 'eslint-import-resolver-typescript'
import importX from 'eslint-plugin-import-x'
import globals from 'globals'
import tseslint from 'typescript-eslint'

const root = import.meta.dirname
const nodeBuiltins = ['node:*', 'fs', 'path', 'os', 'child_process', 'crypto', 'http', 'https', 'net', 'url', 'util', 'zlib', 'stream']
/** A package as resolved: its own folder, or its DefinitelyTyped types (what the TS resolver finds first). */
const pkg = (name) => [`node_modules/${name}`, `node_modules/@types/${name}`]
const sqlDrivers = ['better-sqlite3', 'better-sqlite3-multiple-ciphers', 'drizzle-orm'].flatMap(pkg)
const renderer = 'renderer'
const [main, preload, core, cli, devserver, server, shared] = [
  'electron/main',
  'electron/preload',
  'electron/core',
  'electron/cli',
  'electron/devserver',
  'server',
  'shared',
]
const zone = (target, from, message) => ({ target, from, message })

/** What each folder may NOT import. Tests and benches may reach across layers to drive them. */
const layerZones = [
  zone(
    shared,
    ['electron', renderer, server, ...pkg('electron'), ...pkg('react'), ...pkg('react-dom'), ...sqlDrivers],
    'shared/ is imported by every runtime: nothing platform-specific.',
  ),
  zone(renderer, ['electron', server, ...pkg('electron'), ...sqlDrivers], 'renderer/ runs in a sandboxed page: it reaches the core through src/api only.'),
  zone(
    core,
    [main, preload, cli, devserver, renderer, server, ...pkg('electron')],
    "electron/core is plain Node: it never imports 'electron' or the shells that host it.",
  ),
  zone(main, [preload, cli, devserver, renderer, server], 'electron/main hosts the core; it does not import the other shells.'),
  zone(preload, [core, main, cli, devserver, renderer, server, ...sqlDrivers], 'the preload is a bridge: electron and shared/ only.'),
  zone(devserver, [main, preload, cli, renderer, server], 'browser mode hosts the core; it does not import the other shells.'),
  zone(cli, [main, preload, devserver, renderer, server], 'the CLI hosts the core; it does not import the other shells.'),
  zone(
    server,
    [main, preload, cli, devserver, renderer, ...pkg('electron')],
    'the HQ server shares only electron/core (importers, schema) and shared/ with the device.',
  ),
]

/** Inside the core only db/ touches SQL or the driver. */
const coreSqlZones = readdirSync(join(root, core), { withFileTypes: true })
  .filter((e) => e.name !== 'db' && (e.isDirectory() || e.name.endsWith('.ts')))
  .map((e) => zone(`${core}/${e.name}`, sqlDrivers, 'SQL and the driver live only in electron/core/db (repos own every query).'))

/** A feature never imports another feature's page: that would pull the other page's lazy chunk into its own. */
const features = readdirSync(join(root, renderer, 'src/features'), { withFileTypes: true })
  .filter((e) => e.isDirectory())
  .map((e) => e.name)
const pageZones = features.map((f) => ({
  target: `${renderer}/src/features/${f}`,
  from: [`${renderer}/src/features/*/**/*Page.tsx`],
  except: [join(root, renderer, 'src/features', f, '**')],
  message: 'Move what two features share into renderer/src/shell, map/ or a small module of its own.',
}))

/**
 * Leaflet puts a string given to bindTooltip / bindPopup / setContent in as HTML: a name from data
 * (synced from another device) would become markup. Give an element or a function that returns one
 * (like CustomerClusters.tsx's textElement), or a react-leaflet <Tooltip>/<Popup> with children.
 */
const markupCalls = '/^(bindTooltip|bindPopup|setContent)$/'
const markupMessage = 'Leaflet renders a string here as HTML: pass an element (textElement) or a function returning one, never a string or template literal.'
const noMarkupStrings = {
  'no-restricted-syntax': [
    'error',
    ...[
      "[arguments.0.type='TemplateLiteral']",
      "[arguments.0.type='Literal'][arguments.0.raw=/^['\"]/]",
      "[arguments.0.type='BinaryExpression'][arguments.0.operator='+']",
    ].map((argument) => ({ selector: `CallExpression[callee.property.name=${markupCalls}]${argument}`, message: markupMessage })),
  ],
}

const restrictedPaths = (zones) => ({ 'import-x/no-restricted-paths': ['error', { basePath: root, zones }] })
const noNodeBuiltins = (message) => ({ 'no-restricted-imports': ['error', { patterns: [{ group: nodeBuiltins, message }] }] })

export default tseslint.config(
  {
    ignores: [
      'out/**',
      'dist/**',
      'release/**',
      'node_modules/**',
      'migrations/**',
      'e2e/artifacts/**',
      'bench/results/**',
      'lint-fixtures/**',
      '.stryker-tmp/**',
      'reports/**',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    plugins: { 'import-x': importX },
    settings: { 'import-x/resolver-next': [createTypeScriptImportResolver({ project: join(root, 'tsconfig.json') })] },
    languageOptions: { globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-non-null-assertion': 'off',
    },
  },
  { files: ['shared/**/*.ts'], rules: noNodeBuiltins('shared/ is imported by both runtimes: no Node built-ins.') },
  {
    files: ['renderer/**/*.{ts,tsx}'],
    languageOptions: { globals: { ...globals.browser } },
    rules: { ...noNodeBuiltins('renderer/ runs in a sandboxed page: no Node built-ins.'), ...noMarkupStrings },
  },
  // One block per file set, each carrying every zone that applies (a later block replaces a rule's options).
  {
    files: ['**/*.{ts,tsx,js,mjs}'],
    ignores: ['**/*.test.{ts,tsx}', 'e2e/**', 'bench/**', 'scripts/**'],
    rules: restrictedPaths([...layerZones, ...coreSqlZones, ...pageZones]),
  },
  { files: ['**/*.test.{ts,tsx}'], rules: restrictedPaths([...layerZones.filter((z) => ![server, core].includes(z.target)), ...pageZones]) },
)

/** For the lint test: the zones, so it can prove each one rejects a fixture. */
export const layerRules = { layerZones, coreSqlZones, pageZones }
