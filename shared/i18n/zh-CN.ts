// 简体中文 (default UI language). Keys are shared with en.ts; the type of this object is the
// shape every other language must have.
export const zhCN = {
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
  errors: {
    VALIDATION: '输入有误：{{detail}}',
    NOT_FOUND: '找不到该记录，可能已被删除。',
    CONFLICT: '与已保存的数据冲突，未做任何修改。',
    DEMO_ALREADY_LOADED: '当前数据目录已有网格数据，演示县只能载入空的数据目录。',
    UNKNOWN_HANDLER: '程序内部错误：未知操作。',
    FORBIDDEN: '没有权限执行该操作。',
    INTERNAL: '发生意外错误，详情见日志。数据未被修改。',
    NETWORK: '无法连接本地服务。',
  },
} as const

type Widen<T> = { [K in keyof T]: T[K] extends string ? string : Widen<T[K]> }
export type Messages = Widen<typeof zhCN>
