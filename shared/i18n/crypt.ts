// Messages of encryption at rest, key custody, HQ transport security and device revocation.
// Spread into zh-CN.ts and en.ts; kept in their own file so parallel work does not collide.
import type { Translation } from './zh-CN'

const zh = {
  crypt: {
    /** By `details.reason` of STORE_KEY_MISSING / STORE_KEY_WRONG / STORE_REVOKED. */
    reasons: {
      no_key:
        '数据文件已加密，需要密钥才能打开。请设置环境变量 GRIDDESK_PASSPHRASE，或使用 --passphrase-file 文件 / --key-file 文件；在终端中运行时会提示输入口令。',
      key_info_missing: '数据目录中缺少密钥信息文件 griddesk.key.json，加密的数据无法打开。请从备份恢复该文件，或向总部重新注册本机后重新下载数据。',
      key_info_damaged: '密钥信息文件 {{file}} 已损坏，加密的数据无法打开。请从备份恢复该文件。',
      key_file_unreadable: '无法读取密钥文件 {{file}}。请检查路径和权限。',
      key_file_short: '密钥文件 {{file}} 太短：至少需要 32 字节随机数据（例如 `head -c 32 /dev/urandom > 文件`）。',
      passphrase_short: '口令太短：至少 8 个字符。',
      needs_sealed: '这个数据目录的密钥由桌面应用保管在操作系统钥匙串中，只能在网格通桌面应用中打开。',
      needs_passphrase: '这个数据目录用口令加密：请提供口令（GRIDDESK_PASSPHRASE 或 --passphrase-file）。',
      needs_keyfile: '这个数据目录用密钥文件加密：请用 --key-file 或 GRIDDESK_KEY_FILE 指定该文件。',
      passphrase_mismatch: '两次输入的口令不一致，数据目录没有创建。',
      wrong_passphrase: '口令不正确，数据没有打开。请重新输入。',
      wrong_keyfile: '密钥文件不对，数据没有打开。请检查是否选了这个数据目录对应的密钥文件。',
      wrong_sealed: '操作系统钥匙串中的密钥打不开这个数据目录。',
      wrong_key: '密钥不正确，数据文件没有打开。',
      unseal_failed: '操作系统钥匙串无法解开本机数据的密钥（可能换了用户或电脑）。数据没有打开。',
      file_auth_failed: '一个附件或草稿无法用本机密钥解密（文件已损坏或来自别的数据目录）。',
      store_not_open: '数据目录尚未用密钥打开。',
      revoked: '总部已于 {{at}} 注销本机，本机数据的密钥已销毁，数据已锁定且无法再打开。如需继续工作，请向管理员索取新的注册码，在新的数据目录中重新注册。',
    },
    prompt: '数据口令：',
    promptNew: '为新的数据目录设置口令（至少 8 个字符）：',
    promptRepeat: '再输入一次：',
    basicTextWarning:
      '警告：本机没有可用的系统钥匙串（Linux 上 safeStorage 使用的是 basic_text 后备方案），数据密钥只做了简单混淆，能读取本机用户文件的人即可解开。请安装并启用 GNOME Keyring 或 KWallet 后重新启动网格通。',
    noKeychain: '本机没有可用的系统钥匙串，无法保管数据密钥。请安装并启用 GNOME Keyring 或 KWallet，或设置环境变量 GRIDDESK_PASSPHRASE 后重新启动。',
    insecureWarning: '警告：正在用未加密的 http:// 连接总部（开发选项 --allow-insecure-http）。不要在正式环境中使用。',
  },
} as const

const en: Translation<typeof zh> = {
  crypt: {
    reasons: {
      no_key:
        'The data file is encrypted and needs its key. Set GRIDDESK_PASSPHRASE, or pass --passphrase-file FILE / --key-file FILE; in a terminal you are asked for the passphrase.',
      key_info_missing:
        'The key information file griddesk.key.json is missing from the data directory, so the encrypted data cannot be opened. Restore that file from a backup, or enrol this computer again and download the data anew.',
      key_info_damaged: 'The key information file {{file}} is damaged, so the encrypted data cannot be opened. Restore it from a backup.',
      key_file_unreadable: 'Cannot read the key file {{file}}. Check the path and the permissions.',
      key_file_short: 'The key file {{file}} is too short: it must hold at least 32 random bytes (e.g. `head -c 32 /dev/urandom > FILE`).',
      passphrase_short: 'The passphrase is too short: at least 8 characters.',
      needs_sealed: "This data directory's key is kept by the desktop app in the OS keychain; open it in the GridDesk desktop app.",
      needs_passphrase: 'This data directory is encrypted with a passphrase: give it (GRIDDESK_PASSPHRASE or --passphrase-file).',
      needs_keyfile: 'This data directory is encrypted with a key file: name it with --key-file or GRIDDESK_KEY_FILE.',
      passphrase_mismatch: 'The two passphrases differ; the data directory was not created.',
      wrong_passphrase: 'Wrong passphrase; the data was not opened. Try again.',
      wrong_keyfile: 'Wrong key file; the data was not opened. Check that it is the key file of this data directory.',
      wrong_sealed: 'The key in the OS keychain does not open this data directory.',
      wrong_key: 'Wrong key; the data file was not opened.',
      unseal_failed: "The OS keychain cannot unseal this computer's data key (another user or computer?). The data was not opened.",
      file_auth_failed: "An attachment or draft does not decrypt with this store's key (damaged, or from another data directory).",
      store_not_open: 'The data directory has not been opened with its key yet.',
      revoked:
        'HQ revoked this computer on {{at}}: its data key was destroyed and the data is locked for good. To keep working, ask your administrator for a new enrolment code and enrol in a new data directory.',
    },
    prompt: 'Data passphrase: ',
    promptNew: 'Choose a passphrase for the new data directory (at least 8 characters): ',
    promptRepeat: 'Once more: ',
    basicTextWarning:
      "Warning: no OS keychain is available (on Linux safeStorage fell back to basic_text), so the data key is only obfuscated and anyone who can read this user's files can unseal it. Install and unlock GNOME Keyring or KWallet, then restart GridDesk.",
    noKeychain: 'No OS keychain is available to keep the data key. Install and unlock GNOME Keyring or KWallet, or set GRIDDESK_PASSPHRASE, then restart.',
    insecureWarning: 'Warning: talking to HQ over unencrypted http:// (development option --allow-insecure-http). Never use it in production.',
  },
}

export { zh as cryptZh, en as cryptEn }
