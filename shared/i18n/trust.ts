// UI strings of the one search, error details, legends and units, spread into zh-CN.ts and en.ts;
// kept in their own file so parallel work does not collide.
import type { Translation } from './zh-CN'

const zh = {
  validation: {
    required: '必填，请填写或选择',
    number: '请填写数字',
    format: '格式不对，请检查后重填',
    date: '日期格式不对，请用日期选择器或按 2026-03-01 填写',
    tooShort: '太短，至少 {{min}} 个字',
    tooLong: '太长，最多 {{max}} 个字',
    tooSmall: '不能小于 {{min}}',
    tooBig: '不能大于 {{max}}',
    pick: '请从列表中选择一项',
    pickOne: '请至少选择一项',
    fewItems: '请至少选择 {{min}} 项',
    manyItems: '最多 {{max}} 项，请删去一些',
    fieldIssue: '{{field}}：{{issue}}',
    joiner: '；',
  },
  problemReport: { message: '完整说明' },
  /** Messages only the command line shows (its flags). */
  cli: {
    errors: {
      fileExists: '文件“{{path}}”已存在，未覆盖。如需覆盖，请加 --force。',
      badFormat: '导出格式“{{format}}”无效：应为 xlsx、pdf、csv 或 geojson。',
      missingOut: '请用 --out 指定导出文件。',
    },
  },
  errorDetails: { show: '详情', hide: '收起详情', code: '错误代码', technical: '技术信息（报告问题时请附上）' },
  search: {
    nothingFound: '没有找到。可输入名称、全拼、首字母、电话或编码',
    kind: { customer: '客户', village: '村庄', grid: '网格', county: '县公司', center: '服务营销中心', microgrid: '微网格' },
  },
}

const en: Translation<typeof zh> = {
  validation: {
    required: 'Required: fill in or pick a value',
    number: 'Enter a number',
    format: 'Not in the right form; check and enter it again',
    date: 'Not a valid date; use the date picker or type it as 2026-03-01',
    tooShort: 'Too short: at least {{min}} characters',
    tooLong: 'Too long: at most {{max}} characters',
    tooSmall: 'Must be at least {{min}}',
    tooBig: 'Must be at most {{max}}',
    pick: 'Pick one of the listed values',
    pickOne: 'Pick at least one',
    fewItems: 'Pick at least {{min}}',
    manyItems: 'At most {{max}}; remove some',
    fieldIssue: '{{field}}: {{issue}}',
    joiner: '; ',
  },
  problemReport: { message: 'Full message' },
  cli: {
    errors: {
      fileExists: '“{{path}}” already exists and was not overwritten. Add --force to replace it.',
      badFormat: 'Format “{{format}}” is not valid: use xlsx, pdf, csv or geojson.',
      missingOut: 'Give the file to write with --out.',
    },
  },
  errorDetails: { show: 'Details', hide: 'Hide details', code: 'Error code', technical: 'Technical information (include it when reporting a problem)' },
  search: {
    nothingFound: 'Nothing found. Type a name, pinyin, initials, phone or code',
    kind: { customer: 'Customer', village: 'Village', grid: 'Grid', county: 'County branch', center: 'Marketing center', microgrid: 'Micro-grid' },
  },
}

export { zh as trustZh, en as trustEn }
