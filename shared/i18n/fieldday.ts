// UI strings of the field day: error boundaries, the saved day plan, visit detail and
// correction, actions where the user is, unsaved-change guards, undo toasts, dates. Spread into
// zh-CN.ts and en.ts under `field`; kept in their own file so parallel work does not collide.
import type { Translation } from './zh-CN'

const zh = {
  field: {
    boundary: {
      pageTitle: '本页面出错了',
      mapTitle: '地图出错了',
      body: '其他页面和已保存的草稿不受影响。可以重新加载本页面继续工作。',
      reload: '重新加载本页面',
    },
  },
} as const

type Zh = typeof zh
export const fieldZh: Zh = zh
export const fieldEn: Translation<Zh> = {
  field: {
    boundary: {
      pageTitle: 'This page ran into a problem',
      mapTitle: 'The map ran into a problem',
      body: 'Other pages and saved drafts are not affected. Reload this page to carry on.',
      reload: 'Reload this page',
    },
  },
}
