// 简体中文 (default UI language). Keys are shared with en.ts; the type of this object is the
// shape every other language must have.
import { visitsZh } from './visits'
import { customersZh } from './customers'
import { securityZh } from './security'
import { boundaryZh } from './boundary'
import { healthZh } from './health'
import { fieldZh } from './fieldday'
import { cryptZh } from './crypt'
import { gridsZh } from './grids'
import { indicatorsZh } from './indicators'
import { reportsZh } from './reports'
import { villagesZh } from './villages'
import { syncZh } from './sync'
import { trustZh } from './trust'

export const zhCN = {
  ...customersZh,
  ...securityZh,
  ...boundaryZh,
  ...healthZh,
  ...fieldZh,
  ...cryptZh,
  ...trustZh,
  ...gridsZh,
  ...indicatorsZh,
  ...reportsZh,
  ...villagesZh,
  ...syncZh,
  app: { name: '网格通', tagline: '农村网格经理的离线工作台' },
  nav: {
    map: '地图',
    grids: '网格',
    villages: '村庄',
    customers: '关键客户',
    intel: '竞争情报',
    visits: '拜访',
    indicators: '指标',
    sync: '同步',
    reports: '报表',
  },
  lang: { label: '界面语言', zh: '中文', en: 'English' },
  shell: {
    navLabel: '功能导航',
    dismiss: '关闭提示',
    retry: '重试',
    loading: '正在加载…',
  },
  period: { months: '月份', quarters: '季度', years: '年度', quarterSpan: '（{{from}}–{{to}}月）', fullYear: ' 全年' },
  welcome: {
    title: '欢迎使用网格通',
    empty: '当前数据目录中还没有任何网格数据。请选择一种开始方式：',
    connectTitle: '连接总部',
    connectText: '已从县公司管理员处拿到注册码：填写总部服务器地址和注册码注册本机，首次同步会下载您负责的网格、村庄和客户，然后打开您的网格地图。',
    connect: '连接总部并注册本机',
    importTitle: '导入本县数据',
    importStep1: '可选：县界和乡镇边界（GeoJSON、KML 或 Shapefile 压缩包）；',
    importStep2: '网格边界（同样的文件格式；编码和名称所在的属性可在对话框中指定）；',
    importStep3: '导入网格后在“村庄”页导入村庄名单（CSV 或 Excel，可先下载模板）。',
    import: '导入边界文件',
    demoTitle: '载入演示县',
    demoIntro: '可以先载入演示县“田东县”（广西百色市）熟悉本软件：',
    demoNames: '乡镇、行政村和社区的名称与代码来自国家统计局统计用区划代码，真实存在；',
    demoGenerated: '网格边界、村庄位置等几何形状是程序生成的示意图形，并非测绘数据；',
    demoContent: '户数、人口、关键客户、拜访和竞争情报等业务内容均为随机生成，仅供演示。',
    load: '载入演示县（田东县）',
    loading: '正在载入演示数据，请稍候…',
  },
  errors: {
    VALIDATION: '输入有误：{{detail}}。请改正后再保存。',
    NOT_FOUND: '找不到该记录，可能已被删除或被同步更新。请刷新列表后再试。',
    CONFLICT: '与已保存的数据冲突（例如编码或名称重复），未做任何修改。请检查后换一个值再试。',
    DEMO_ALREADY_LOADED: '当前数据目录已有网格数据，演示县只能载入空的数据目录。如需演示，请换一个空的数据目录启动。',
    DEMO_DATA: '这台设备上是演示县的数据。注册到总部会清除演示数据，总部的数据随后同步下来；如需保留您录入的修改，请先导出。',
    UNKNOWN_HANDLER: '程序各部分版本不一致，无法执行该操作。请重新启动网格通；仍出现请联系管理员。',
    FORBIDDEN: '没有权限执行该操作。请联系县公司管理员开通权限。',
    SYNC_FAILED: '与总部同步未完成：{{detail}}。您的修改已保存，下次同步时会发送。',
    BUSY: '数据正被另一项写入占用（例如正在导入大文件），这次修改没有保存。请等它完成后再试。',
    STORE_KEY_MISSING: '数据已加密，缺少打开它的密钥。请在启动时输入口令或指定密钥文件；密钥丢失请联系管理员。',
    STORE_KEY_WRONG: '密钥不正确，数据没有打开。请检查口令或密钥文件后再试。',
    STORE_REVOKED: '总部已注销本机，本机数据已锁定。请联系县公司管理员重新登记本机。',
    INTERNAL: '发生意外错误，数据未被修改。请重试；仍出现请把“详情”里的信息发给管理员。',
    NETWORK: '无法连接网格通的本地服务。请关闭并重新打开网格通，数据不会丢失。',
    STORE: '数据文件目前无法使用。请按下方提示处理（清理磁盘空间、升级网格通或联系管理员）后重新启动。',
  },
  importIssues: {
    where: '{{file}} 第{{row}}行 [{{field}}]',
    whereFile: '{{file}}',
    empty_file: '文件为空或没有数据行',
    unreadable: '无法读取文件：{{reason}}',
    archive_too_large: '压缩文件解压后超过 {{maxMb}} MB 或多于 {{maxEntries}} 个文件（疑似压缩炸弹），未导入。请确认文件无误，或拆分成几个较小的文件分别导入。',
    missing_column: '缺少列「{{column}}」',
    required: '必填项为空',
    code_format: '区划代码应为{{digits}}位数字，实际为「{{value}}」',
    duplicate_code: '编码「{{value}}」与第{{other}}行重复',
    unknown_code: '未知的区划代码「{{value}}」（不属于已知乡镇）',
    unknown_grid: '未知的网格编码「{{value}}」',
    not_a_number: '「{{value}}」不是数字',
    out_of_range: '「{{value}}」超出范围（{{min}}–{{max}}）',
    not_a_boolean: '「{{value}}」应为 是/否',
    outside_china: '坐标（{{lon}}, {{lat}}）不在中国境内',
    swapped_lonlat: '经纬度疑似写反（{{lon}}, {{lat}}）',
    lonlat_pair: '经度和纬度须同时填写',
    geometry_type: '几何类型应为面（Polygon/MultiPolygon），实际为 {{value}}',
    self_intersection:
      '边界自相交（约 {{lon}}, {{lat}} 处）：自动修复会使面积从 {{areaBeforeM2}} 变为 {{areaAfterM2}} 平方米（变化 {{changePct}}%，超过 1%），无法确定原意，未修复；请在 GIS 软件中检查这一处',
    invalid_geometry: '边界坐标无效（环少于3个点或含非数字）',
    too_long: '内容过长（最多{{max}}字）',
    phone_format: '「{{value}}」不是有效的电话号码（11位手机号或带区号的固话）',
    date_format: '「{{value}}」不是有效日期（例如 2026-03-01）',
    unknown_value: '「{{value}}」不是可选值（可选：{{allowed}}）',
    unknown_village: '找不到村/社区「{{value}}」（或名称对应多个村，请填写区划代码）',
    duplicate_customer: '「{{value}}」与第{{other}}行重复（同一电话，或同村同名）',
    no_matching_sheet: '没有哪个工作表含有必需的列（{{columns}}）；已查看的工作表：{{sheets}}',
    invalid_topology:
      '边界无效（约 {{lon}}, {{lat}} 处，如内环在外环之外）：修复会使面积从 {{areaBeforeM2}} 变为 {{areaAfterM2}} 平方米（变化 {{changePct}}%），未修复',
    township_mismatch: '乡镇代码「{{value}}」与村代码「{{code}}」的前9位不一致',
    nul_char: '含有空字符（U+0000），请从文件中删除',
    lone_surrogate: '含有不完整的字符（孤立的 UTF-16 代理项），请重新输入该内容或将文件重新另存为 UTF-8',
    too_many_vertices: '边界顶点太多（最多 {{max}} 个），请先在 GIS 软件中简化',
    geometry_too_large: '边界数据太大（{{size}} 个字符，最多 {{max}}），请先在 GIS 软件中简化',
    unknown_org_unit: '未知的单位编码「{{value}}」（不是本机已有的县、中心、网格或微网格）',
    unknown_indicator: '未知的指标编码「{{value}}」（请先在指标库中添加该指标）',
    bad_period: '「{{value}}」不是有效账期（例如 2026-10、202610、2026-Q3 或 2026）',
    duplicate_actual: '与第{{other}}行的单位、指标和账期相同（{{value}}）',
  },
  visits: visitsZh,
  fields: {
    centerCode: '所属中心',
    orgUnitCode: '单位编码',
    indicatorCode: '指标编码',
    period: '账期',
    value: '完成值',
    asOf: '统计日期',
    kind: '网格类型',
    townshipCode: '乡镇代码',
    townshipName: '乡镇',
    ageUnder18Pct: '18岁以下占比',
    age18To60Pct: '18–60岁占比',
    ageOver60Pct: '60岁以上占比',
    signal4g: '4G信号',
    signal5g: '5G信号',
    divisionCode: '区划代码',
    name: '名称',
    gridCode: '网格编码',
    lon: '经度',
    lat: '纬度',
    population: '人口',
    households: '户数',
    migrantAwayPct: '外出务工比例',
    mainEconomy: '主要经济',
    marketDays: '集市日',
    festivals: '风俗节日',
    educationLevel: '文化程度',
    fibreCovered: '光纤覆盖',
    ourPorts: '我方端口',
    ourMobileSubs: '移动用户数',
    ourBroadbandSubs: '宽带用户数',
    penetrationPct: '渗透率',
    notes: '备注',
    code: '编码',
    geometry: '边界',
    center_code: '所属中心',
    category: '类别',
    role: '职务',
    organisation: '单位',
    villageCode: '村代码',
    villageName: '所属村',
    phone: '电话',
    influence: '影响力',
    monthlyRevenue: '月收入',
    tierOverride: '价值等级',
    contractExpiry: '合约到期',
    rivalUsed: '在用对手',
    funnelStage: '阶段',
    nextFollowUp: '下次跟进',
    tags: '标签',
  },
} as const

type Widen<T> = { [K in keyof T]: T[K] extends string ? string : Widen<T[K]> }
export type Messages = Widen<typeof zhCN>

/**
 * Another language's messages for zh-CN's (literal-typed) ones: the same keys, and beside any
 * message that takes {{count}} an optional `<key>_one`, the singular for a language that has one
 * (i18next picks it when count is 1, the plain key otherwise). Chinese has one form.
 */
export type Translation<T> = { [K in keyof T]: T[K] extends string ? string : Translation<T[K]> } & {
  [K in keyof T as T[K] extends `${string}{{count}}${string}` ? `${K & string}_one` : never]?: string
}
