import type { i18n as I18n } from 'i18next'
import { beforeAll, describe, expect, it } from 'vitest'
import { AppError } from '../../../shared/errors'
import { errorMessage, technicalDetail } from './errors'
import { createI18n } from './i18n'

describe('errorMessage', () => {
  let zh: I18n
  let en: I18n
  beforeAll(async () => {
    zh = await createI18n('zh-CN')
    en = await createI18n('en')
  })

  it('translates the code of an AppError and says what to do next', () => {
    const error = new AppError('DEMO_ALREADY_LOADED', 'english fallback for logs')
    expect(errorMessage(zh.t, error)).toBe('当前数据目录已有网格数据，演示县只能载入空的数据目录。如需演示，请换一个空的数据目录启动。')
    expect(errorMessage(en.t, error)).toMatch(/^This data directory already holds grids; .* start with an empty data directory\.$/)
  })

  it('names the fields to correct in words, never a path or a code', () => {
    const error = new AppError('VALIDATION', 'invalid input', {
      issues: [
        { path: ['patch', 'households'], message: '不能小于 0' },
        { path: ['phone'], message: 'phone_format' },
        { path: [], message: '没有要修改的内容' },
      ],
    })
    const text = errorMessage(zh.t, error)
    expect(text).toBe(
      '输入有误：户数：不能小于 0；电话：电话格式不正确：11位手机号（如 13812345678）或带区号的固话（如 0776-5212345）；没有要修改的内容。请改正后再保存。',
    )
    expect(text).not.toMatch(/patch|phone_format/)
  })

  it('keeps the English message for the details only', () => {
    const error = new AppError('VALIDATION', 'id: must be a UUID')
    expect(errorMessage(en.t, error)).toBe('Please correct: Not in the right form; check and enter it again. Then save again.')
    expect(technicalDetail(error)).toContain('id: must be a UUID')
  })

  it('says the local service is unreachable for a network failure', () => {
    expect(errorMessage(zh.t, new AppError('INTERNAL', 'network', { details: { network: true } }))).toMatch(/^无法连接网格通的本地服务。/)
  })

  it('never shows a stack or raw message for anything else', () => {
    const crash = new TypeError('Cannot read properties of undefined (reading "x")')
    expect(errorMessage(en.t, crash)).toMatch(/^An unexpected error occurred; no data was changed\./)
    const unknownCode = new AppError('SOMETHING_NEW' as never, 'from a newer core')
    expect(errorMessage(zh.t, unknownCode)).toMatch(/^发生意外错误，数据未被修改。/)
    expect(
      errorMessage(zh.t, new AppError('CONFLICT', 'SQLITE_CONSTRAINT_UNIQUE: UNIQUE constraint failed', { details: { sqlite: 'SQLITE_CONSTRAINT_UNIQUE' } })),
    ).not.toMatch(/SQLITE/)
  })
})
