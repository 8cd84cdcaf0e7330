// The markup rule (eslint.config.js, no-restricted-syntax) rejects every Leaflet call that is given
// an HTML string, and lets through what renders text: an element, or a function returning one.
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { ESLint } from 'eslint'
import { describe, expect, it } from 'vitest'

const root = join(import.meta.dirname, '..')
const eslint = new ESLint({ cwd: root })
const lint = async (text: string, path: string) => {
  const [result] = await eslint.lintText(text, { filePath: join(root, path) })
  return result!.messages.filter((m) => m.ruleId === 'no-restricted-syntax')
}

describe('Leaflet markup rule', () => {
  it('rejects bindTooltip / bindPopup / setContent with a string, template literal or concatenation', async () => {
    const text = readFileSync(join(import.meta.dirname, 'markup', 'leaflet-html-strings.tsx'), 'utf8')
    const as = /^\/\/ as: (\S+)/.exec(text)![1]!
    const flagged = await lint(text, as)
    expect(flagged.map((m) => m.line)).toEqual([7, 8, 9, 10])
    expect(flagged[0]!.message).toContain('renders a string here as HTML')
  })

  it('accepts an element, a function returning one, and react-leaflet children', async () => {
    const text = [
      "import type { CircleMarker, Popup } from 'leaflet'",
      'export function ok(dot: CircleMarker, popup: Popup, el: HTMLElement, make: () => HTMLElement) {',
      '  dot.bindTooltip(el)',
      '  dot.bindTooltip(make, { direction: "top" })',
      '  dot.bindPopup(() => make())',
      '  popup.setContent(el)',
      '}',
      '',
    ].join('\n')
    expect(await lint(text, 'renderer/src/map/Fixture.tsx')).toEqual([])
  })
})
