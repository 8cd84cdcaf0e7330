// Command-line flags for the benches: parseArgs plus --help, which prints the script's own opening
// comment and its flags with their defaults; an unknown flag prints the same and exits 2.
import { readFileSync } from 'node:fs'
import { basename } from 'node:path'
import { parseArgs, type ParseArgsConfig } from 'node:util'

type Options = NonNullable<ParseArgsConfig['options']>

export function benchArgs<const O extends Options>(script: string, options: O): ReturnType<typeof parseArgs<{ options: O }>>['values'] {
  const usage = () => {
    const about = readFileSync(script, 'utf8')
      .split('\n')
      .filter((line, i, lines) => line.startsWith('//') && lines.slice(0, i).every((l) => l.startsWith('//')))
      .map((line) => line.replace(/^\/\/ ?/, ''))
    const flags = Object.entries(options).map(
      ([name, o]) => `  --${name}${o.type === 'string' ? ' VALUE' : ''}${o.default !== undefined ? `  (default ${String(o.default)})` : ''}`,
    )
    return [...about, '', `npx tsx bench/${basename(script)} [flags]`, ...flags, '  --help'].join('\n') + '\n'
  }
  let parsed
  try {
    parsed = parseArgs({ options: { ...options, help: { type: 'boolean', default: false } }, allowPositionals: false })
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n\n${usage()}`)
    process.exit(2)
  }
  if ((parsed.values as { help?: boolean }).help) {
    process.stdout.write(usage())
    process.exit(0)
  }
  return parsed.values as ReturnType<typeof parseArgs<{ options: O }>>['values']
}
