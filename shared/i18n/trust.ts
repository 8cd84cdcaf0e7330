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
  /** What each report section counts and as of when (printed under its title). */
  reportBasis: {
    summary: '数据截至 {{asOf}}（本机时间）；统计周期 {{start}} 至 {{end}}。',
    kpi: '目标、完成为统计周期的数值（无整期数值时为各月之和）；时间进度按截至日计算；进度差 = 完成率 − 时间进度（百分点）。',
    kpiByGrid: '同上，按网格列出。',
    visits: '计划拜访：计划日期在统计周期内的拜访（次）；按计划完成：其中已完成的；实际拜访：统计周期内签到完成的全部拜访（次）。',
    visitsByPurpose: '统计周期内完成的拜访（次），按拜访目的。',
    coverage: 'A类关键客户（户）中，在 {{from}} 至 {{asOf}} 的 30 天内有已完成拜访的客户。',
    funnel: '当前客户数为生成报表时各阶段的客户数（户）；本期进入为统计周期内进入该阶段的次数。',
    intel: '统计周期内发现的竞争情报（条）。',
    prices: '统计周期内带月费的竞争情报，按竞争对手汇总（元、GB、Mbps）。',
    profiles: '生成报表时的村庄档案，按完整度从低到高。',
    profileFields: '生成报表时各档案字段已填写的村/社区数（个）。',
    objections: '统计周期内拜访中听到的客户异议（次）。',
    workOrders: '截至 {{cut}} 尚未完成且已过到期时间的工单（共 {{open}} 张未完成工单）；超期天数算至 {{cut}}。',
    partial: '前 {{shown}} 条，共 {{total}} 条；完整清单见 XLSX/CSV 导出。',
    localTime: '{{time}}（本机时间 UTC{{offset}}）',
  },
  /** Indicator units as stored (Chinese, from HQ), in the UI language. */
  indicatorUnit: { 户: '户', 万元: '万元', 台: '台', 件: '件', 元: '元', 个: '个', 次: '次', '%': '%' },
  woEdit: { title: '标题', description: '说明', due: '到期日', dueHint: '不填则按时限自动计算', auto: '不填则按预警自动生成' },
  mapWords: {
    today: '今天',
    neverVisited: '从未拜访',
    layoutOk: '网格布局检查：未发现问题',
    layoutFound: '网格布局：发现 {{count}} 处问题',
    layoutChecking: '网格布局检查',
    clusterLegend: '关键客户聚合（圆内数字为客户数）',
    intelLegend: '竞争情报（按对手着色）',
    tierDot: '{{tier}} 类客户',
    noTier: '未定级',
    threatSize: '圈越大威胁越高',
  },
  /** Units after a count: 12 个网格, 305 次拜访. */
  countUnit: { grids: '{{n}} 个', villages: '{{n}} 个', visits: '{{n}} 次', customers: '{{n}} 户', items: '{{n}} 条', orders: '{{n}} 张' },
  /** Messages only the command line shows (its flags). */
  cli: {
    errors: {
      fileExists: '文件“{{path}}”已存在，未覆盖。如需覆盖，请加 --force。',
      badFormat: '导出格式“{{format}}”无效：应为 xlsx、pdf、csv 或 geojson。',
      missingOut: '请用 --out 指定导出文件。',
      badTemplateFormat: '模板格式“{{format}}”无效：应为 csv 或 xlsx（--format）。',
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
  reportBasis: {
    summary: 'Figures as of {{asOf}} (this computer’s time); period {{start}} to {{end}}.',
    kpi: 'Target and actual are the period’s figures (or the sum of its months); time elapsed as of the as-of day; gap = completion − time elapsed (percentage points).',
    kpiByGrid: 'As above, grid by grid.',
    visits:
      'Planned: visits planned for a day in the period (visits); planned and done: those of them done; done: every visit checked in and done in the period (visits).',
    visitsByPurpose: 'Visits done in the period, by purpose (visits).',
    coverage: 'A-tier key customers (customers) with a done visit in the 30 days from {{from}} to {{asOf}}.',
    funnel: 'Current: customers at each stage when the report was made (customers); moved in: moves into the stage during the period.',
    intel: 'Competitor intel seen in the period (items).',
    prices: 'Intel with a monthly fee seen in the period, per rival (yuan, GB, Mbps).',
    profiles: 'Village profiles when the report was made, least complete first.',
    profileFields: 'Villages with each profile field filled when the report was made (villages).',
    objections: 'Objections heard in visits during the period (times).',
    workOrders: 'Work orders not done and past due as of {{cut}} ({{open}} open in all); days overdue counted to {{cut}}.',
    partial: 'First {{shown}} of {{total}}; the XLSX/CSV export lists them all.',
    localTime: '{{time}} (this computer’s time, UTC{{offset}})',
  },
  indicatorUnit: { 户: 'subs', 万元: '10k yuan', 台: 'units', 件: 'cases', 元: 'yuan', 个: 'items', 次: 'times', '%': '%' },
  woEdit: { title: 'Title', description: 'Description', due: 'Due day', dueHint: 'Left empty, it follows the SLA', auto: 'Left empty, written from the alert' },
  mapWords: {
    today: 'today',
    neverVisited: 'never visited',
    layoutOk: 'Grid layout check: no problems found',
    layoutFound: 'Grid layout: {{count}} problems found',
    layoutChecking: 'Grid layout check',
    clusterLegend: 'Key customers, clustered (number = customers)',
    intelLegend: 'Competitor intel (colour = rival)',
    tierDot: 'Tier {{tier}}',
    noTier: 'No tier',
    threatSize: 'larger = higher threat',
  },
  countUnit: {
    grids: '{{n}} grids',
    villages: '{{n}} villages',
    visits: '{{n}} visits',
    customers: '{{n}} customers',
    items: '{{n}} items',
    orders: '{{n}} orders',
  },
  cli: {
    errors: {
      fileExists: '“{{path}}” already exists and was not overwritten. Add --force to replace it.',
      badFormat: 'Format “{{format}}” is not valid: use xlsx, pdf, csv or geojson.',
      missingOut: 'Give the file to write with --out.',
      badTemplateFormat: 'Template format “{{format}}” is not valid: use csv or xlsx (--format).',
    },
  },
  errorDetails: { show: 'Details', hide: 'Hide details', code: 'Error code', technical: 'Technical information (include it when reporting a problem)' },
  search: {
    nothingFound: 'Nothing found. Type a name, pinyin, initials, phone or code',
    kind: { customer: 'Customer', village: 'Village', grid: 'Grid', county: 'County branch', center: 'Marketing center', microgrid: 'Micro-grid' },
  },
}

export { zh as trustZh, en as trustEn }
