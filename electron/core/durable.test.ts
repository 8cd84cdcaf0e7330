// A process killed while it replaces a file leaves the old file or the new one, whole: a child
// rewrites one file over and over with a different byte each time and is killed -9 at varying
// moments; the file must always be full length and one byte value throughout.
import { spawn } from 'node:child_process'
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { writeFileDurably } from './durable'
import { REPO_ROOT } from './resources'

const SIZE = 2 * 1024 * 1024
const dir = mkdtempSync(join(tmpdir(), 'griddesk-durable-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

const child = (file: string) => `
  import { writeFileDurably } from ${JSON.stringify(join(REPO_ROOT, 'electron/core/durable.ts'))}
  let n = 0
  process.stdout.write('ready\\n')
  for (;;) writeFileDurably(${JSON.stringify(file)}, Buffer.alloc(${SIZE}, ++n % 251))
`

describe('writeFileDurably', () => {
  it('writes private files and leaves no temporary file behind', () => {
    const file = join(dir, 'plain.json')
    writeFileDurably(file, '{"a":1}')
    writeFileDurably(file, Buffer.from('{"a":2}'))
    expect(readFileSync(file, 'utf8')).toBe('{"a":2}')
    if (process.platform !== 'win32') expect(statSync(file).mode & 0o777).toBe(0o600)
    expect(readdirSync(dir).filter((f) => f.endsWith('.tmp'))).toEqual([])
  })

  it('never leaves a torn file when the writer is killed mid-write', { timeout: 120_000 }, async () => {
    const file = join(dir, 'store.bin')
    writeFileSync(file, Buffer.alloc(SIZE, 0))
    const script = join(dir, 'writer.mts')
    writeFileSync(script, child(file))
    for (const delay of [5, 20, 35, 60, 90, 140]) {
      const writer = spawn(process.execPath, ['--import', 'tsx', script], { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'inherit'] })
      await new Promise<void>((resolve) => writer.stdout.once('data', () => resolve()))
      await new Promise((resolve) => setTimeout(resolve, delay))
      writer.kill('SIGKILL')
      await new Promise((resolve) => writer.once('exit', resolve))
      const bytes = readFileSync(file)
      expect(bytes.length).toBe(SIZE)
      expect(bytes.every((b) => b === bytes[0])).toBe(true)
    }
  })
})
