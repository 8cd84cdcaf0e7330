// Messages of the value rules (shared/rules.ts) and of the store's health: damaged, foreign,
// newer-schema, read-only, full-disk stores, integrity checks and backups. Spread into zh-CN.ts
// and en.ts; kept in their own file so parallel work does not collide.
import type { Translation } from './zh-CN'

const zh = {
  rules: {
    nul_char: '含有空字符（U+0000），不能保存；请删除该字符后重试',
    lone_surrogate: '含有不完整的字符（孤立的 UTF-16 代理项），不能保存；请重新输入该内容',
    too_long: '太长：最多 {{max}} 个字符',
    too_deep: '嵌套层数过多（最多 {{max}} 层）',
    row_too_large: '这条记录太大（{{size}} 个字符，最多 {{max}}），无法同步；请缩短备注或简化边界',
    bad_date: '「{{value}}」不是存在的日期（例如 2026-03-01）',
    bad_time: '「{{value}}」不是有效的日期时间（例如 2026-03-01T08:30:00Z）',
    bad_period: '「{{value}}」不是有效的期间（例如 2026-10、2026-Q3 或 2026）',
    bad_uuid: '「{{value}}」不是有效的编号（UUID）',
    bad_sha256: '文件校验值不是 64 位十六进制 SHA-256',
    bad_json: '内容不是有效的 JSON',
    too_many_vertices: '边界顶点太多：最多 {{max}} 个；请在 GIS 软件中简化后再导入或保存',
    geometry_too_large: '边界数据太大（{{size}} 个字符，最多 {{max}}）；请简化边界',
    not_text: '应为文字',
    where: '{{field}}：{{message}}',
  },
  store: {
    title: '数据文件有问题',
    corrupt:
      '数据文件 {{file}} 已损坏（完整性检查未通过）。为避免损失扩大，没有写入。请从应用自动保存的备份恢复（命令行：`npm run cli -- store restore`，损坏的文件会保留在旁边）；若已接入总部，也可重新接入后从总部重新下载。',
    notADatabase:
      '{{file}} 不是网格通的数据文件（或已被覆盖、损坏）。请检查数据目录，或从备份恢复（命令行：`npm run cli -- store backups` 查看，`npm run cli -- store restore` 恢复）。',
    empty:
      '数据文件 {{file}} 是空的（0 字节），可能是磁盘故障或拷贝中断。为避免作为新设备覆盖，应用没有打开它。请从备份恢复（命令行：`npm run cli -- store restore`），或删除该文件后重新开始。',
    newerSchema: '数据文件 {{file}} 来自更新版本的网格通（数据版本 {{stored}}，本应用支持到 {{supported}}）。为保护数据，不会写入。请更新应用。',
    readOnly: '数据文件 {{file}} 或其所在文件夹是只读的，无法保存修改。请检查文件权限，或把数据目录放到可写的位置。',
    diskFull: '磁盘已满：修改没有保存。请清理磁盘空间（例如删除旧的报表或下载文件）后重试。',
    locked: '数据文件 {{file}} 正被另一个程序占用。请关闭其他网格通窗口或命令行后重试。',
    cannotOpen: '无法打开数据文件 {{file}}：{{cause}}',
    openFailed:
      '网格通打开数据目录 {{dir}} 时出错（{{cause}}），没有启动，数据没有改动。请检查磁盘空间和该文件夹的权限后重新启动；若仍然失败，请把这段文字发给技术支持。',
    backupDamaged: '备份 {{file}} 已损坏或打不开（{{cause}}），没有用它恢复，当前数据未改动。请选择另一份备份。',
    checked: '完整检查：{{result}}',
    restored: '已从备份 {{file}} 恢复。被替换的数据文件保留为 {{kept}}。',
    restoreOffer: '可以从应用自动保存的备份恢复：最近一份是 {{at}}（{{reason}}）。被替换的数据文件会保留在旁边，不会删除。',
    restoreButton: '从最近的备份恢复',
    quitButton: '退出',
    noBackup: '还没有这台电脑上的备份。',
    uncleanShutdown: '上次没有正常退出，已对数据文件做了完整检查：{{result}}。',
    checkOk: '完好',
    quickCheck: '快速检查',
    integrityCheck: '完整检查',
    checkFailed: '发现 {{count}} 处问题',
    damagedNow:
      '后台检查发现数据文件已损坏（{{count}} 处问题）。为避免损失扩大，应用已停止保存修改，仍可查看和导出。请在“同步”页的“数据备份”中从最近的备份恢复。',
    openBackups: '打开数据备份',
  },
  backups: {
    title: '数据备份',
    hint: '应用每天、每次升级数据结构前和清除演示数据前自动备份数据文件（加密，与数据同一密钥），每日备份保留最近 {{keep}} 份。恢复会用所选备份替换当前数据，被替换的数据文件保留在数据目录中。',
    empty: '还没有备份。',
    create: '立即备份',
    created: '已备份：{{file}}',
    restore: '恢复',
    restoreConfirm: '用 {{at}} 的备份替换当前数据？此后在这台电脑上做的修改将不在恢复后的数据中（被替换的数据文件会保留）。',
    restored: '已从 {{file}} 恢复。被替换的数据文件保留为 {{kept}}。',
    check: '完整检查',
    checked: '完整检查：{{result}}',
    reason: { daily: '每日', premigration: '升级前', preclear: '清除演示数据前', manual: '手动' },
    col: { at: '时间', reason: '原因', size: '大小' },
  },
} as const

const en: Translation<typeof zh> = {
  rules: {
    nul_char: 'contains a NUL character (U+0000) and cannot be saved; remove it and try again',
    lone_surrogate: 'contains a broken character (a lone UTF-16 surrogate) and cannot be saved; type that text again',
    too_long: 'too long: at most {{max}} characters',
    too_deep: 'nested too deeply (at most {{max}} levels)',
    row_too_large: 'this record is too large to sync ({{size}} characters, at most {{max}}); shorten the notes or simplify the boundary',
    bad_date: '"{{value}}" is not a date that exists (e.g. 2026-03-01)',
    bad_time: '"{{value}}" is not a valid date and time (e.g. 2026-03-01T08:30:00Z)',
    bad_period: '"{{value}}" is not a valid period (e.g. 2026-10, 2026-Q3 or 2026)',
    bad_uuid: '"{{value}}" is not a valid id (UUID)',
    bad_sha256: 'the file checksum is not a 64-hex-digit SHA-256',
    bad_json: 'not valid JSON',
    too_many_vertices: 'the boundary has too many vertices: at most {{max}}; simplify it in a GIS tool, then import or save it again',
    geometry_too_large: 'the boundary is too large ({{size}} characters, at most {{max}}); simplify it',
    not_text: 'should be text',
    where: '{{field}}: {{message}}',
  },
  store: {
    title: 'Problem with the data file',
    corrupt:
      'The data file {{file}} is damaged (the integrity check failed). Nothing was written to it, so that nothing more is lost. Restore a backup the app keeps (command line: `npm run cli -- store restore`; the damaged file is kept beside it); an enrolled computer can also enrol again and download its data from HQ.',
    notADatabase:
      '{{file}} is not a GridDesk data file (or it was overwritten or damaged). Check the data directory, or restore a backup (command line: `npm run cli -- store backups` lists them, `npm run cli -- store restore` restores).',
    empty:
      'The data file {{file}} is empty (0 bytes): perhaps a disk fault or an interrupted copy. It was not opened, so that it is not replaced by a new device. Restore a backup (command line: `npm run cli -- store restore`), or delete the file to start afresh.',
    newerSchema:
      'The data file {{file}} comes from a newer version of GridDesk (data version {{stored}}, this app supports up to {{supported}}). Nothing is written to it, to keep it safe. Please update the app.',
    readOnly:
      'The data file {{file}} or its folder is read-only, so changes cannot be saved. Check the file permissions, or move the data directory somewhere writable.',
    diskFull: 'The disk is full: the change was not saved. Free some disk space (e.g. delete old reports or downloads) and try again.',
    locked: 'The data file {{file}} is held by another program. Close other GridDesk windows or command lines and try again.',
    cannotOpen: 'Cannot open the data file {{file}}: {{cause}}',
    openFailed:
      'GridDesk could not open its data directory {{dir}} ({{cause}}) and did not start; the data was not changed. Check the free disk space and the permissions of that folder, then start again; if it still fails, send this text to technical support.',
    backupDamaged:
      'The backup {{file}} is damaged or does not open ({{cause}}); nothing was restored and the current data is unchanged. Choose another backup.',
    checked: 'Full check: {{result}}',
    restored: 'Restored from the backup {{file}}. The data file it replaced is kept as {{kept}}.',
    restoreOffer: 'A backup the app keeps can be restored: the newest is from {{at}} ({{reason}}). The data file it replaces is kept beside it, never deleted.',
    restoreButton: 'Restore the newest backup',
    quitButton: 'Quit',
    noBackup: 'There is no backup on this computer yet.',
    uncleanShutdown: 'GridDesk did not close properly last time; the data file was fully checked: {{result}}.',
    checkOk: 'intact',
    quickCheck: 'quick check',
    integrityCheck: 'full check',
    checkFailed: '{{count}} problems found',
    checkFailed_one: '{{count}} problem found',
    damagedNow:
      'The background check found the data file damaged ({{count}} problems). So that nothing more is lost, the app no longer saves changes; you can still view and export. Restore the newest backup under Backups on the Sync page.',
    damagedNow_one:
      'The background check found the data file damaged ({{count}} problem). So that nothing more is lost, the app no longer saves changes; you can still view and export. Restore the newest backup under Backups on the Sync page.',
    openBackups: 'Open backups',
  },
  backups: {
    title: 'Backups',
    hint: 'The app backs up the data file every day, before every data-structure upgrade and before clearing the demo data (encrypted, with the same key as the data), keeping the last {{keep}} daily ones. Restoring replaces the current data with the chosen backup; the data file it replaces is kept in the data directory.',
    empty: 'No backups yet.',
    create: 'Back up now',
    created: 'Backed up: {{file}}',
    restore: 'Restore',
    restoreConfirm:
      'Replace the current data with the backup of {{at}}? Changes made on this computer since then will not be in the restored data (the data file it replaces is kept).',
    restored: 'Restored from {{file}}. The data file it replaced is kept as {{kept}}.',
    check: 'Full check',
    checked: 'Full check: {{result}}',
    reason: { daily: 'daily', premigration: 'before upgrade', preclear: 'before clearing the demo', manual: 'manual' },
    col: { at: 'Time', reason: 'Reason', size: 'Size' },
  },
}

export { zh as healthZh, en as healthEn }
