// Messages of the security guards (browser-mode session, file-path capability, decompression
// caps), spread into zh-CN.ts and en.ts under `security`; kept in their own file so parallel work
// does not collide.
import type { Translation } from './zh-CN'

const zh = {
  security: {
    errors: {
      browserSession: '浏览器模式需要启动时显示的地址：请在终端中复制带 ?k= 的完整地址并打开。',
      pathNotGranted: '只能使用在文件对话框中选择或上传的文件；不接受直接输入的路径。',
      pathRead: '{{field}}：不能读取直接给出的路径 {{path}}。请用“选择文件”按钮选择（或上传）文件。',
      pathWrite: '{{field}}：不能写入 {{path}}。请写到导出文件夹 {{folder}} 中，或用文件对话框选择位置。',
      tooLarge: '文件解压后超过 {{limitMb}} MB 上限，已拒绝（可能是压缩炸弹或文件过大）。',
    },
  },
}

const en: Translation<typeof zh> = {
  security: {
    errors: {
      browserSession: 'Browser mode needs the address printed when it started: copy the whole address with ?k= from the terminal and open it.',
      pathNotGranted: 'Only a file chosen in the file dialog or uploaded can be used; a typed path is not accepted.',
      pathRead: '{{field}}: the path {{path}} was typed, not chosen, and is not read. Use the file chooser (or upload the file).',
      pathWrite: '{{field}}: nothing is written to {{path}}. Write into the exports folder {{folder}}, or choose the place in the file dialog.',
      tooLarge: 'The file unpacks to more than the {{limitMb}} MB limit and was refused (a zip bomb or a file too large).',
    },
  },
}

/** The browser-mode sign-in page's text (served before the app and its translations load). */
export const BROWSER_SESSION_MESSAGE = { 'zh-CN': zh.security.errors.browserSession, en: en.security.errors.browserSession }

export { zh as securityZh, en as securityEn }
