// Zip bombs: a zipped Shapefile or an XLSX that unpacks past the cap, or holds a flood of entries,
// is refused by name with a translated message, without the app's memory following the bomb.
import { execFileSync } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import JSZip from 'jszip'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { formatImportIssue } from '../../../shared/i18n/importIssues'
import { openTestCore } from '../testing'
import { MAX_UNPACKED_BYTES, openCappedZip } from './zip'

describe('zip caps', () => {
  const core = openTestCore()
  let dir: string
  let bomb: string
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'griddesk-zip-'))
    // 250 MB of zeros as a Shapefile layer: a zip of about 250 KB.
    const big = join(dir, 'grids.shp')
    execFileSync('sh', ['-c', `head -c ${250 * 1024 * 1024} /dev/zero > "${big}"`])
    bomb = join(dir, '网格边界.zip')
    execFileSync('zip', ['-q', '-9', '-j', bomb, big])
    rmSync(big)
  })
  afterAll(() => {
    core.dispose()
    rmSync(dir, { recursive: true, force: true })
  })

  it('refuses a zipped Shapefile that unpacks past the cap, naming the file, without the memory', async () => {
    // Warm up: a harmless zip a little larger than the bomb starts the import worker (kept for the
    // next job) with its parsers loaded.
    const harmless = join(dir, 'harmless.zip')
    writeFileSync(harmless, await new JSZip().file('grids.shp', randomBytes(300 * 1024)).generateAsync({ type: 'nodebuffer', compression: 'STORE' }))
    await core.call('import.preview', { kind: 'grids', source: { path: harmless } })
    const peakBefore = process.resourceUsage().maxRSS * 1024
    const preview = await core.call('import.preview', { kind: 'grids', source: { path: bomb } })
    const grown = process.resourceUsage().maxRSS * 1024 - peakBefore
    expect(preview.issues).toEqual([{ file: '网格边界.zip', row: null, field: null, code: 'archive_too_large', params: { maxMb: 200, maxEntries: 2000 } }])
    expect(formatImportIssue(preview.issues[0]!, 'zh-CN')).toBe(
      '网格边界.zip: 压缩文件解压后超过 200 MB 或多于 2000 个文件（疑似压缩炸弹），未导入。请确认文件无误，或拆分成几个较小的文件分别导入。',
    )
    expect(formatImportIssue(preview.issues[0]!, 'en')).toMatch(/^网格边界\.zip: The archive unpacks to more than 200 MB/)
    // The peak memory of this process grew by far less than the 250 MB inside.
    expect(grown, `peak memory grew by ${Math.round(grown / 1024 / 1024)} MB`).toBeLessThan(100 * 1024 * 1024)
  })

  it('refuses an XLSX that unpacks past the cap before exceljs opens it', async () => {
    const xlsx = join(dir, '村庄.xlsx')
    execFileSync('cp', [bomb, xlsx])
    const preview = await core.call('import.preview', { kind: 'villages', source: { path: xlsx } })
    expect(preview.issues.map((i) => [i.file, i.code])).toEqual([['村庄.xlsx', 'archive_too_large']])
    const actuals = await core.call('import.preview', { kind: 'actuals', source: { path: xlsx } })
    expect(actuals.issues.map((i) => [i.file, i.code])).toEqual([['村庄.xlsx', 'archive_too_large']])
  })

  it('refuses a zip with more entries than the cap, and reads one within both caps', async () => {
    const flood = new JSZip()
    for (let i = 0; i <= 2000; i++) flood.file(`f${i}.txt`, '')
    const path = join(dir, 'flood.zip')
    writeFileSync(path, await flood.generateAsync({ type: 'nodebuffer' }))
    const preview = await core.call('import.preview', { kind: 'grids', source: { path } })
    expect(preview.issues.map((i) => i.code)).toEqual(['archive_too_large'])

    const small = await new JSZip()
      .file('a.txt', 'x'.repeat(1000))
      .file('b.txt', 'y'.repeat(1000))
      .generateAsync({ type: 'uint8array', compression: 'DEFLATE' })
    const zip = await openCappedZip('small.zip', small, { maxBytes: 2000, maxEntries: 10 })
    expect(new TextDecoder().decode(await zip.read(zip.files[1]!))).toBe('y'.repeat(1000))
    // The caps are on the archive's total: 2000 bytes hold both files, 1999 do not.
    await expect(openCappedZip('small.zip', small, { maxBytes: 1999, maxEntries: 10 })).rejects.toThrow(/small\.zip unpacks to more than/)
    expect(MAX_UNPACKED_BYTES).toBe(200 * 1024 * 1024)
  })

  it('stops unpacking at the cap when the zip understates its sizes', async () => {
    const honest = await new JSZip().file('grids.shp', new Uint8Array(5 * 1024 * 1024)).generateAsync({ type: 'nodebuffer', compression: 'DEFLATE' })
    // Rewrite the uncompressed size in the local header (offset 22) and the central directory
    // entry (offset 24 from its signature) to 1000 bytes.
    const liar = Buffer.from(honest)
    liar.writeUInt32LE(1000, 22)
    liar.writeUInt32LE(1000, liar.indexOf(Buffer.from([0x50, 0x4b, 0x01, 0x02])) + 24)
    const zip = await openCappedZip('liar.zip', liar, { maxBytes: 1024 * 1024, maxEntries: 10 })
    await expect(zip.read(zip.files[0]!)).rejects.toThrow(/liar\.zip unpacks to more than 1 MB/)
  })
})
