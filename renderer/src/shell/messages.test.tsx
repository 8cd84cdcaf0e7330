// Every message a user can meet, walked through both languages: every AppError code (as the UI
// shows it), every sync error, every import issue code, every input-check sentence and every
// report error reason. Fails on a missing message, English in the Chinese text, Chinese in the
// English text, or an error that does not say what to do next.
import type { i18n as I18n } from 'i18next'
import { beforeAll, describe, expect, it } from 'vitest'
import { importIssueCodes, type ImportIssue } from '../../../shared/api/imports'
import { AppError, errorCodes } from '../../../shared/errors'
import { resources } from '../../../shared/i18n'
import { formatImportIssue } from '../../../shared/i18n/importIssues'
import { plainIssue } from '../../../shared/i18n/validation'
import { errorMessage } from './errors'
import { createI18n } from './i18n'

/** Words that stay Latin in Chinese text: file formats, product names and the like. */
const LATIN_OK = new Set([
  'http',
  'https',
  'GIS',
  'CSV',
  'XLSX',
  'XLS',
  'PDF',
  'KML',
  'GeoJSON',
  'Shapefile',
  'Polygon',
  'MultiPolygon',
  'BOSS',
  'MBTiles',
  'UTF',
  'GB',
  'HQ',
  'Excel',
  'WPS',
  'ID',
  'GridDesk',
])
const englishIn = (text: string) => (text.match(/[A-Za-z]{3,}/g) ?? []).filter((w) => !LATIN_OK.has(w))
const hanIn = (text: string) => /\p{Script=Han}/u.test(text)
/** An error says what to do next. */
const nextStepZh = /请|可以|再试|重试|重新|稍后|联系|检查|改正|换一个|保存在本机|会保留|会发送|会重新|管理员/
const nextStepEn =
  /try|please|ask|check|restart|close|refresh|correct|wait|enrol|upgrade|sync again|kept|will be sent|resend|start with|use the|contact|send|tick|choose|give/i

const params = {
  region: '451022-G03',
  period: '2026-10',
  format: 'xlsx',
  detail: '',
  value: 'x1',
  other: 3,
  column: 'c',
  columns: 'c',
  sheets: 's',
  min: 1,
  max: 9,
  lon: 1,
  lat: 2,
  allowed: 'a',
  reason: '',
  path: '/tmp/a.pdf',
  file: 'f.csv',
  row: 2,
  field: 'f',
}

describe('every message a user can meet, in both languages', () => {
  const i18n: Record<'zh-CN' | 'en', I18n> = {} as never
  beforeAll(async () => {
    i18n['zh-CN'] = await createI18n('zh-CN')
    i18n.en = await createI18n('en')
  })

  const check = (lang: 'zh-CN' | 'en', what: string, text: string, needsNextStep = false) => {
    expect(text, `${lang} ${what}: missing`).toBeTruthy()
    expect(text, `${lang} ${what}: untranslated key`).not.toMatch(/^[a-zA-Z]+(\.[a-zA-Z_]+)+$/)
    if (lang === 'zh-CN') expect(englishIn(text), `${what}: English in the Chinese text “${text}”`).toEqual([])
    else expect(hanIn(text), `${what}: Chinese in the English text “${text}”`).toBe(false)
    if (needsNextStep) expect(text, `${lang} ${what}: says what to do next`).toMatch(lang === 'zh-CN' ? nextStepZh : nextStepEn)
  }

  it('every AppError code, as the UI shows it', () => {
    for (const lang of ['zh-CN', 'en'] as const)
      for (const code of errorCodes) {
        const error =
          code === 'VALIDATION'
            ? new AppError(code, 'english for the log', { issues: [{ path: ['phone'], message: 'phone_format' }] })
            : new AppError(code, 'english for the log: SQLITE_CONSTRAINT_UNIQUE')
        check(lang, `errors.${code}`, errorMessage(i18n[lang].t, error), true)
      }
  })

  it('the network failure and an unknown failure', () => {
    for (const lang of ['zh-CN', 'en'] as const) {
      check(lang, 'errors.NETWORK', errorMessage(i18n[lang].t, new AppError('INTERNAL', 'fetch failed', { details: { network: true } })), true)
      check(lang, 'a crash', errorMessage(i18n[lang].t, new TypeError('x is undefined')), true)
    }
  })

  it('every sync error', () => {
    for (const lang of ['zh-CN', 'en'] as const) {
      const errors = resources[lang].translation.sync.errors as Record<string, string>
      expect(Object.keys(errors).sort()).toEqual(Object.keys(resources['zh-CN'].translation.sync.errors).sort())
      for (const code of Object.keys(errors)) check(lang, `sync.errors.${code}`, i18n[lang].t(`sync.errors.${code}`, params), true)
    }
  })

  it('every import issue code', () => {
    for (const lang of ['zh-CN', 'en'] as const)
      for (const code of importIssueCodes) {
        const issue: ImportIssue = {
          file: 'villages.csv',
          row: 3,
          field: 'households',
          code,
          params: {
            value: '12',
            other: 2,
            column: lang === 'en' ? 'households' : '户数',
            columns: '',
            sheets: lang === 'en' ? 'Sheet1' : '表1',
            min: 0,
            max: 9,
            lon: 1,
            lat: 2,
            allowed: '',
            reason: '',
          },
        } as ImportIssue
        const template = (resources[lang].translation.importIssues as Record<string, string>)[code]
        expect(template, `${lang} importIssues.${code}`).toBeTruthy()
        check(lang, `importIssues.${code}`, formatImportIssue(issue, lang).replace('villages.csv', ''))
      }
  })

  it('every input check (zod issues) in plain words', () => {
    const issues = [
      { code: 'invalid_type', input: undefined, expected: 'nonoptional' },
      { code: 'invalid_type', input: 'x', expected: 'number' },
      { code: 'invalid_type', input: 3, expected: 'string' },
      { code: 'too_small', origin: 'string', minimum: 1 },
      { code: 'too_small', origin: 'string', minimum: 4 },
      { code: 'too_small', origin: 'number', minimum: 0 },
      { code: 'too_small', origin: 'array', minimum: 2 },
      { code: 'too_big', origin: 'string', maximum: 30 },
      { code: 'too_big', origin: 'number', maximum: 100 },
      { code: 'too_big', origin: 'array', maximum: 60 },
      { code: 'invalid_value' },
      { code: 'invalid_format', format: 'uuid' },
      { code: 'invalid_format', format: 'date' },
      { code: 'unrecognized_keys' },
      { code: 'custom' },
    ]
    for (const lang of ['zh-CN', 'en'] as const)
      for (const issue of issues) {
        const text = plainIssue(issue, lang)
        check(lang, `zod ${issue.code}`, text)
        expect(text).not.toMatch(/nonoptional|undefined|expected|期望|实际接收/)
      }
  })

  it('every report error reason', () => {
    for (const lang of ['zh-CN', 'en'] as const) {
      const reasons = resources[lang].translation.reports.errors as Record<string, string>
      for (const reason of Object.keys(reasons)) {
        const text = errorMessage(i18n[lang].t, new AppError('CONFLICT', 'x', { details: { ...params, reason } }))
        check(lang, `reports.errors.${reason}`, text.replace('/tmp/a.pdf', ''), true)
        expect(text).not.toMatch(/--force|命令行/)
      }
    }
  })
})
