// The layer rules reject every deliberate violation in cases/, linted as if each lived where its
// first line says — so a rule that stops resolving paths (or a block that overrides another) fails here.
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { ESLint } from 'eslint'
import { describe, expect, it } from 'vitest'

const root = join(import.meta.dirname, '..')
const casesDir = join(import.meta.dirname, 'cases')
const eslint = new ESLint({ cwd: root })

describe('layer rules', () => {
  for (const file of readdirSync(casesDir).sort()) {
    it(`rejects ${file}`, async () => {
      const text = readFileSync(join(casesDir, file), 'utf8')
      const as = /^\/\/ as: (\S+)/.exec(text)?.[1]
      expect(as, `${file} must start with "// as: <path>"`).toBeTruthy()
      const [result] = await eslint.lintText(text, { filePath: join(root, as!) })
      const rules = result!.messages.map((m) => m.ruleId)
      expect(rules.some((r) => r === 'import-x/no-restricted-paths' || r === 'no-restricted-imports'), `${file}: ${JSON.stringify(result!.messages)}`).toBe(true)
    })
  }

  it('accepts what the layers allow', async () => {
    const allowed: [string, string][] = [
      ['electron/core/handlers/fixture.ts', "import { getVillage } from '../db/repos/villages'\nexport const x = getVillage\n"],
      ['electron/core/db/repos/fixture.ts', "import { sql } from 'drizzle-orm'\nexport const x = sql\n"],
      ['server/fixture.ts', "import { syncedTables } from '../electron/core/db/schema'\nexport const x = syncedTables\n"],
      ['renderer/src/features/grids/Fixture.tsx', "import { completenessColor } from '../villages/completeness'\nexport const x = completenessColor\n"],
    ]
    for (const [path, text] of allowed) {
      const [result] = await eslint.lintText(text, { filePath: join(root, path) })
      expect(result!.messages.filter((m) => m.ruleId?.includes('restricted')), path).toEqual([])
    }
  })
})
