// PDF writer (pdfkit): A4 with an embedded CJK font, a cover with region and period, the map of
// the region and the charts drawn as vector graphics, tables that break across pages with their
// header repeated, and page numbers.
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import PDFDocument from 'pdfkit'
import type { ReportModel } from '../../../shared/api/reports'
import { AppError } from '../../../shared/errors'
import { resources, type Language } from '../../../shared/i18n'
import type { Light } from '../../../shared/kpi'
import { labels } from './model'
import { LIGHT_COLOURS, lightWord, localStamp, numberText, pctText, reportTables, type Cell, type Column, type ReportTable } from './tables'

type Doc = PDFKit.PDFDocument

/** A CJK font file (and the face inside a collection) pdfkit can embed, bundled first, then the system's. */
export function findCjkFont(resourcesDir?: string): { path: string; family?: string } | undefined {
  const bundled = resourcesDir ? join(resourcesDir, 'data', 'fonts') : undefined
  if (bundled && existsSync(bundled)) {
    const file = readdirSync(bundled).find((f) => /\.(otf|ttf)$/i.test(f))
    if (file) return { path: join(bundled, file) }
  }
  const candidates: { path: string; family?: string }[] = [
    { path: '/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc', family: 'NotoSansCJKsc-Regular' },
    { path: '/usr/share/fonts/noto-cjk/NotoSansCJK-Regular.ttc', family: 'NotoSansCJKsc-Regular' },
    { path: '/usr/share/fonts/truetype/wqy/wqy-microhei.ttc', family: 'WenQuanYiMicroHei' },
    { path: '/System/Library/Fonts/PingFang.ttc', family: 'PingFangSC-Regular' },
    { path: 'C:\\Windows\\Fonts\\simhei.ttf' },
    { path: 'C:\\Windows\\Fonts\\msyh.ttc', family: 'MicrosoftYaHei' },
    { path: 'C:\\Windows\\Fonts\\simsun.ttc', family: 'SimSun' },
  ]
  return candidates.find((c) => existsSync(c.path))
}

// The font's bytes, read once per file (a CJK font is 10–20 MB): every PDF after the first, and the
// first too when the app warmed it up (warmPdfFont, after the first screen), skips reading it.
const fontBytes = new Map<string, Buffer>()
// The font as fontkit parsed it, kept per file: pdfkit takes a parsed font as a source, so each PDF
// after the first skips parsing the collection and its layout tables again, and fontkit's glyphs and
// shaping tables, once read, stay read. Each document still embeds its own subset.
const parsedFonts = new Map<string, PDFFontSource>()
type PDFFontSource = Parameters<Doc['registerFont']>[1]

function cjkFont(resourcesDir?: string): { path: string; source: PDFFontSource; family?: string } | undefined {
  const font = findCjkFont(resourcesDir)
  if (!font) return undefined
  const parsed = parsedFonts.get(font.path)
  if (parsed) return { path: font.path, source: parsed }
  let bytes = fontBytes.get(font.path)
  if (!bytes) fontBytes.set(font.path, (bytes = readFileSync(font.path)))
  return { path: font.path, source: bytes, family: font.family }
}

/** Registers the CJK font on a document, parsing it only the first time. */
function useCjkFont(doc: Doc, font: { path: string; source: PDFFontSource; family?: string }): void {
  doc.registerFont('cjk', font.source, font.family)
  doc.font('cjk')
  // pdfkit's embedded font keeps fontkit's font as `font`.
  const parsed = (doc as unknown as { _font?: { font?: PDFFontSource } })._font?.font
  if (parsed && !parsedFonts.has(font.path)) {
    parsedFonts.set(font.path, parsed)
    fontBytes.delete(font.path)
  }
}

/**
 * Reads the PDF font in the background (off the event loop) and parses it, shaping a line of the
 * report's kind of text once, so the first PDF does neither.
 */
export async function warmPdfFont(resourcesDir?: string): Promise<void> {
  const found = findCjkFont(resourcesDir)
  if (!found || parsedFonts.has(found.path)) return
  if (!fontBytes.has(found.path)) fontBytes.set(found.path, await readFile(found.path))
  const doc = new PDFDocument({ size: 'A4', autoFirstPage: true })
  useCjkFont(doc, cjkFont(resourcesDir)!)
  doc.fontSize(8).text('网格通 GridDesk 2026-10 12,345 67.8% 平马镇 移动 电信 联通', { width: 200 })
}

const A4 = { width: 595.28, height: 841.89 }
const MARGIN = 40
const FOOTER = 28

export async function writePdf(model: ReportModel, options: { lang?: Language; resourcesDir?: string; maxRows?: number } = {}): Promise<Buffer> {
  const lang = options.lang ?? 'zh-CN'
  const L = labels(lang)
  const font = cjkFont(options.resourcesDir)
  if (!font) throw new AppError('INTERNAL', L.fontMissing, { details: { reason: 'fontMissing' } })
  const doc = new PDFDocument({
    size: 'A4', margins: { top: MARGIN, bottom: MARGIN + FOOTER, left: MARGIN, right: MARGIN }, bufferPages: true,
    info: { Title: `${L.docTitle} ${model.region.name} ${model.period}`, Author: 'GridDesk 网格通', Creator: 'GridDesk 网格通' },
    autoFirstPage: true,
  })
  useCjkFont(doc, font)
  const chunks: Buffer[] = []
  doc.on('data', (c: Buffer) => chunks.push(c))
  const done = new Promise<Buffer>((resolve, reject) => {
    doc.on('end', () => resolve(Buffer.concat(chunks)))
    doc.on('error', reject)
  })

  const tables = new Map(reportTables(model, lang).map((t) => [t.key, t]))
  cover(doc, model, lang, tables.get('summary')!)

  doc.addPage()
  heading(doc, L.section.map)
  drawMap(doc, model, lang)
  doc.addPage()
  heading(doc, L.section.charts)
  drawCharts(doc, model, lang)

  // Every row by default: a long table runs over pages rather than stopping short.
  const maxRows = options.maxRows ?? 5000
  for (const key of ['kpi', 'kpi_grid', 'visits', 'visit_purpose', 'coverage', 'funnel', 'intel', 'prices', 'objections', 'work_orders', 'profile_fields', 'profiles']) {
    const table = tables.get(key)!
    if (doc.y > A4.height - 200) doc.addPage()
    else doc.moveDown(0.8)
    heading(doc, table.title)
    note(doc, table.rows.length > maxRows ? `${table.note} ${fillText(resources[lang].translation.reportBasis.partial, { shown: maxRows, total: table.rows.length })}` : table.note)
    drawTable(doc, table, lang, maxRows)
  }

  // Page numbers: written last, into the footer band outside the text area.
  const range = doc.bufferedPageRange()
  for (let i = range.start; i < range.start + range.count; i++) {
    doc.switchToPage(i)
    const bottom = doc.page.margins.bottom
    doc.page.margins.bottom = 0
    doc.fontSize(8).fillColor('#666666')
    doc.text(`${model.region.name} · ${model.period}`, MARGIN, A4.height - MARGIN, { width: 250, lineBreak: false })
    doc.text(L.pageOf.replace('{{page}}', String(i + 1)).replace('{{pages}}', String(range.count)), A4.width - MARGIN - 200, A4.height - MARGIN, { width: 200, align: 'right', lineBreak: false })
    doc.page.margins.bottom = bottom
  }
  doc.end()
  return done
}

/** The section's basis, small and grey, under its heading. */
function note(doc: Doc, text: string) {
  if (!text) return
  doc.fontSize(8).fillColor('#555555').text(text, MARGIN, doc.y + 4, { width: A4.width - 2 * MARGIN })
  doc.fillColor('#000000').moveDown(0.3)
}

const fillText = (template: string, params: Record<string, string | number>) => template.replace(/\{\{(\w+)\}\}/g, (_, k: string) => String(params[k] ?? ''))

function heading(doc: Doc, text: string) {
  doc.fontSize(13).fillColor('#1c3d6e').text(text, MARGIN, doc.y, { width: A4.width - 2 * MARGIN })
  doc.moveTo(MARGIN, doc.y + 2).lineTo(A4.width - MARGIN, doc.y + 2).lineWidth(0.8).strokeColor('#1c3d6e').stroke()
  doc.moveDown(0.5)
  doc.fillColor('#000000')
}

function cover(doc: Doc, model: ReportModel, lang: Language, summary: ReportTable) {
  const L = labels(lang)
  doc.fontSize(12).fillColor('#666666').text('GridDesk 网格通', MARGIN, 110, { align: 'center' })
  doc.moveDown(1.5)
  doc.fontSize(26).fillColor('#1c3d6e').text(L.docTitle, { align: 'center' })
  doc.moveDown(0.8)
  doc.fontSize(18).fillColor('#000000').text(`${model.region.name}（${model.region.code}）`, { align: 'center' })
  doc.moveDown(0.4)
  doc.fontSize(14).text(`${L.period}：${model.period}（${model.periodStart} — ${model.periodEnd}）`, { align: 'center' })
  doc.moveDown(0.3)
  doc.fontSize(11).fillColor('#444444').text(`${L.asOf}：${model.asOf}    ${L.generatedAt}：${localStamp(model.generatedAt, lang)}`, { align: 'center' })
  doc.moveDown(2.5)
  doc.fillColor('#000000')
  drawTable(doc, summary, lang, 100, { x: MARGIN + 90, width: A4.width - 2 * MARGIN - 180 })
  doc.moveDown(1)
  doc.fontSize(9).fillColor('#666666').text(`${L.grids}：${model.grids.map((g) => g.name).join('、')}`, MARGIN + 40, doc.y, { width: A4.width - 2 * MARGIN - 80, align: 'center' })
  if (model.generatedGeometry) doc.moveDown(0.4).text(L.generatedGeometry, { align: 'center', width: A4.width - 2 * MARGIN - 80 })
  doc.fillColor('#000000')
}

function cellText(v: Cell, column: Column, lang: Language): string {
  if (v === null) return ''
  if (column.kind === 'pct' && typeof v === 'number') return pctText(v)
  if (column.kind === 'light') return lightWord(v as Light, lang)
  if (typeof v === 'number') return numberText(v)
  return v
}

function drawTable(doc: Doc, table: ReportTable, lang: Language, maxRows: number, box?: { x: number; width: number }) {
  const L = labels(lang)
  const x0 = box?.x ?? MARGIN
  const width = box?.width ?? A4.width - 2 * MARGIN
  const fontSize = table.columns.length > 9 ? 6.5 : table.columns.length > 6 ? 7.5 : 8.5
  const weights = table.columns.map((c) => c.weight ?? 1)
  const total = weights.reduce((s, w) => s + w, 0)
  const widths = weights.map((w) => (w / total) * width)
  const pad = 3
  const bottom = () => A4.height - doc.page.margins.bottom
  doc.fontSize(fontSize)
  // A cell that fits on one line is one line high: measured by its width (one shaping, kept by
  // pdfkit for the drawing) instead of wrapping it; only longer cells are wrapped to measure them.
  const lineHeight = doc.heightOfString(' ', { width })
  const cellHeight = (c: string, i: number) => {
    const w = widths[i]! - 2 * pad
    return c === '' || (!c.includes('\n') && doc.widthOfString(c) <= w) ? lineHeight : doc.heightOfString(c, { width: w })
  }
  const rowHeight = (cells: string[]) => Math.max(...cells.map(cellHeight)) + 2 * pad

  const drawRow = (cells: string[], kinds: (Column | null)[], raw: Cell[] | null, header: boolean, h = rowHeight(cells)) => {
    const y = doc.y
    let x = x0
    if (header) doc.rect(x0, y, width, h).fill('#e8eef7')
    cells.forEach((text, i) => {
      const column = kinds[i]
      if (!header && column?.kind === 'light' && raw?.[i]) {
        doc.roundedRect(x + pad, y + pad - 1, widths[i]! - 2 * pad, h - 2 * pad + 2, 2).fill(`#${LIGHT_COLOURS[raw[i] as Light]}`)
        doc.fillColor(raw[i] === 'yellow' || raw[i] === 'none' ? '#000000' : '#ffffff')
      } else doc.fillColor('#000000')
      const numeric = !header && column && ['int', 'number', 'pct'].includes(column.kind)
      doc.text(text, x + pad, y + pad, { width: widths[i]! - 2 * pad, align: numeric ? 'right' : column?.kind === 'light' ? 'center' : 'left' })
      x += widths[i]!
    })
    doc.fillColor('#000000')
    doc.moveTo(x0, y + h).lineTo(x0 + width, y + h).lineWidth(0.3).strokeColor('#b0b0b0').stroke()
    doc.y = y + h
  }
  const headerCells = table.columns.map((c) => c.header)
  const drawHeader = () => drawRow(headerCells, table.columns.map(() => null), null, true)
  if (doc.y + rowHeight(headerCells) * 2 > bottom()) doc.addPage()
  drawHeader()
  if (table.rows.length === 0) {
    doc.fillColor('#808080').text(L.noData, x0 + pad, doc.y + pad, { width }).fillColor('#000000')
    return
  }
  for (const raw of table.rows.slice(0, maxRows)) {
    const cells = raw.map((v, i) => cellText(v, table.columns[i]!, lang))
    const h = rowHeight(cells)
    if (doc.y + h > bottom()) {
      doc.addPage()
      drawHeader()
    }
    drawRow(cells, table.columns, raw, false, h)
  }
  if (table.rows.length > maxRows)
    doc.fontSize(8).fillColor('#808080').text(fillText(resources[lang].translation.reportBasis.partial, { shown: maxRows, total: table.rows.length }), x0, doc.y + 4, { width }).fillColor('#000000')
  doc.x = MARGIN
}

// ---- Map: grid polygons coloured by the traffic light of the map indicator, villages as dots.

function drawMap(doc: Doc, model: ReportModel, lang: Language) {
  const L = labels(lang)
  const top = doc.y
  const box = { x: MARGIN, y: top + 18, w: A4.width - 2 * MARGIN, h: A4.height - top - 160 }
  if (model.map.grids.length === 0) {
    doc.fontSize(10).fillColor('#808080').text(L.noData)
    return
  }
  doc.fontSize(9).fillColor('#333333').text(L.mapLegend.replace('{{indicator}}', model.map.indicatorName ?? '—'), MARGIN, top)
  const rings: number[][][][][] = model.map.grids.map((g) => polygonsOf(g.geometry))
  const allPoints = rings.flat(3)
  const lons = allPoints.map((p) => p[0]!)
  const lats = allPoints.map((p) => p[1]!)
  const [minLon, maxLon, minLat, maxLat] = [Math.min(...lons), Math.max(...lons), Math.min(...lats), Math.max(...lats)]
  const kx = Math.cos((((minLat + maxLat) / 2) * Math.PI) / 180)
  const scale = Math.min(box.w / ((maxLon - minLon) * kx || 1), box.h / (maxLat - minLat || 1))
  const ox = box.x + (box.w - (maxLon - minLon) * kx * scale) / 2
  const oy = box.y + (box.h - (maxLat - minLat) * scale) / 2
  const project = (lon: number, lat: number): [number, number] => [ox + (lon - minLon) * kx * scale, oy + (maxLat - lat) * scale]

  model.map.grids.forEach((g, k) => {
    for (const polygon of rings[k]!) {
      for (const ring of polygon) ring.forEach(([lon, lat], i) => (i === 0 ? doc.moveTo(...project(lon!, lat!)) : doc.lineTo(...project(lon!, lat!))))
      doc.closePath()
    }
    doc.fillOpacity(0.55).lineWidth(0.8).fillAndStroke(`#${LIGHT_COLOURS[g.light]}`, '#ffffff', 'even-odd').fillOpacity(1)
  })
  doc.fillColor('#1c3d6e')
  for (const v of model.map.villages) {
    const [x, y] = project(v.lon, v.lat)
    doc.circle(x, y, 1.3).fill()
  }
  // Labels at the middle of each grid's bounding box, with the completion.
  model.map.grids.forEach((g, k) => {
    const pts = rings[k]!.flat(2)
    const cx = (Math.min(...pts.map((p) => p[0]!)) + Math.max(...pts.map((p) => p[0]!))) / 2
    const cy = (Math.min(...pts.map((p) => p[1]!)) + Math.max(...pts.map((p) => p[1]!))) / 2
    const [x, y] = project(cx, cy)
    const label = `${g.name}\n${g.completion === null ? '—' : pctText(g.completion)}`
    doc.fontSize(7).fillColor('#000000').text(label, x - 40, y - 8, { width: 80, align: 'center' })
  })
  // Legend.
  let lx = MARGIN
  const ly = box.y + box.h + 12
  for (const light of ['green', 'yellow', 'red', 'none'] as const) {
    doc.rect(lx, ly, 12, 9).fillOpacity(0.55).fill(`#${LIGHT_COLOURS[light]}`).fillOpacity(1)
    doc.fillColor('#000000').fontSize(8).text(lightWord(light, lang), lx + 16, ly, { lineBreak: false })
    lx += 70
  }
  doc.circle(lx + 4, ly + 4.5, 1.5).fill('#1c3d6e')
  doc.fillColor('#000000').text(L.col.village, lx + 10, ly, { lineBreak: false })
  if (model.generatedGeometry) doc.fontSize(8).fillColor('#808080').text(L.generatedGeometry, MARGIN, ly + 16)
  doc.fillColor('#000000')
  doc.x = MARGIN
  doc.y = ly + 34
}

/** Polygon and MultiPolygon as a list of polygons (rings of [lon, lat]). */
function polygonsOf(geometry: { type: string; coordinates: unknown }): number[][][][] {
  if (geometry.type === 'Polygon') return [geometry.coordinates as number[][][]]
  if (geometry.type === 'MultiPolygon') return geometry.coordinates as number[][][][]
  return []
}

// ---- Charts: horizontal bars, drawn as vectors.

function drawCharts(doc: Doc, model: ReportModel, lang: Language) {
  const L = labels(lang)
  const progress = model.kpi.timeProgress
  barChart(doc, L.chart.kpi, model.kpi.rows.map((r) => ({ label: r.indicatorName, value: r.completion ?? 0, text: r.completion === null ? '—' : pctText(r.completion), colour: LIGHT_COLOURS[r.light] })), {
    max: Math.max(1.2, ...model.kpi.rows.map((r) => r.completion ?? 0)), marker: { value: progress, label: `${L.chart.timeLine} ${pctText(progress)}` }, noData: L.noData,
  })
  barChart(doc, L.chart.funnel, model.funnel.customers ? model.funnel.rows.map((r) => ({ label: r.stageName, value: r.reached, text: String(r.reached), colour: '3A6EA5' })) : [], { noData: L.noData })
  if (doc.y > A4.height - 230) doc.addPage()
  barChart(doc, L.chart.purpose, model.visits.byPurpose.map((p) => ({ label: p.purpose, value: p.done, text: String(p.done), colour: '5B8DB8' })), { noData: L.noData })
  if (doc.y > A4.height - 230) doc.addPage()
  barChart(doc, L.chart.objections, model.objections.rows.map((o) => ({ label: o.name, value: o.heard, text: `${o.heard}（${o.workedRate === null ? '—' : pctText(o.workedRate)}）`, colour: 'C9733A' })), { noData: L.noData })
}

function barChart(doc: Doc, title: string, bars: { label: string; value: number; text: string; colour: string }[], opts: { max?: number; marker?: { value: number; label: string }; noData: string }) {
  const x0 = MARGIN
  const labelW = 110
  const plotW = A4.width - 2 * MARGIN - labelW - 70
  const barH = 12
  const gap = 5
  doc.fontSize(10).fillColor('#1c3d6e').text(title, x0, doc.y)
  doc.moveDown(0.3)
  if (bars.length === 0) {
    doc.fontSize(9).fillColor('#808080').text(opts.noData).fillColor('#000000').moveDown(1)
    return
  }
  const max = opts.max ?? Math.max(1, ...bars.map((b) => b.value))
  const top = doc.y + 4
  bars.forEach((b, i) => {
    const y = top + i * (barH + gap)
    doc.fontSize(8).fillColor('#000000').text(b.label, x0, y + 2, { width: labelW - 6, align: 'right', lineBreak: false })
    doc.rect(x0 + labelW, y, Math.max(0.5, (b.value / max) * plotW), barH).fill(`#${b.colour}`)
    doc.fillColor('#000000').text(b.text, x0 + labelW + (b.value / max) * plotW + 4, y + 2, { lineBreak: false })
  })
  const bottom = top + bars.length * (barH + gap)
  doc.moveTo(x0 + labelW, top - 2).lineTo(x0 + labelW, bottom).lineWidth(0.6).strokeColor('#555555').stroke()
  if (opts.marker) {
    const mx = x0 + labelW + (opts.marker.value / max) * plotW
    doc.moveTo(mx, top - 4).lineTo(mx, bottom + 2).dash(3, { space: 2 }).lineWidth(1).strokeColor('#1c3d6e').stroke().undash()
    doc.fontSize(7).fillColor('#1c3d6e').text(opts.marker.label, mx - 50, bottom + 4, { width: 100, align: 'center', lineBreak: false })
  }
  doc.fillColor('#000000')
  doc.x = MARGIN
  doc.y = bottom + 22
}
