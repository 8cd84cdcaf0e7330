import type { i18n as I18n } from 'i18next'
import { beforeAll, describe, expect, it } from 'vitest'
import { AppError } from '../../../shared/errors'
import { errorMessage } from './errors'
import { createI18n } from './i18n'

describe('errorMessage', () => {
  let zh: I18n
  let en: I18n
  beforeAll(async () => {
    zh = await createI18n('zh-CN')
    en = await createI18n('en')
  })

  it('translates the code of an AppError', () => {
    const error = new AppError('DEMO_ALREADY_LOADED', 'english fallback for logs')
    expect(errorMessage(zh.t, error)).toBe('当前数据目录已有网格数据，演示县只能载入空的数据目录。')
    expect(errorMessage(en.t, error)).toBe('This data directory already holds grids; the demo county loads only into an empty one.')
  })

  it('spells out every validation issue with its field path', () => {
    const error = new AppError('VALIDATION', 'invalid input', {
      issues: [
        { path: ['patch', 'households'], message: '必须大于等于 0' },
        { path: [], message: '没有要修改的内容' },
      ],
    })
    expect(errorMessage(zh.t, error)).toBe('输入有误：patch.households: 必须大于等于 0; 没有要修改的内容')
  })

  it('falls back to the English message when a validation error has no issues', () => {
    expect(errorMessage(en.t, new AppError('VALIDATION', 'id: must be a UUID'))).toBe('Invalid input: id: must be a UUID')
  })

  it('says the local service is unreachable for a network failure', () => {
    expect(errorMessage(zh.t, new AppError('INTERNAL', 'network', { details: { network: true } }))).toBe('无法连接本地服务。')
  })

  it('never shows a stack or raw message for anything else', () => {
    const crash = new TypeError('Cannot read properties of undefined (reading "x")')
    expect(errorMessage(en.t, crash)).toBe('An unexpected error occurred; see the log. No data was changed.')
    const unknownCode = new AppError('SOMETHING_NEW' as never, 'from a newer core')
    expect(errorMessage(zh.t, unknownCode)).toBe('发生意外错误，详情见日志。数据未被修改。')
  })
})
