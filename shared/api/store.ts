// Contract of the store's care: its rolling backups (list, take one, restore one) and the full
// integrity check on demand. The same operations are in the CLI (`store backups|backup|restore|check`),
// which also works when the store does not open.
import { z } from 'zod'
import { out, type PathFields } from './define'

export const backupReasons = ['daily', 'premigration', 'preclear', 'manual'] as const
export type BackupReason = (typeof backupReasons)[number]

export interface BackupInfo {
  /** File name in the data directory's backups folder. */
  file: string
  /** When it was taken (ISO-8601 UTC). */
  at: string
  reason: BackupReason
  bytes: number
}

export interface StoreCheck {
  kind: 'integrity' | 'quick'
  at: string
  /** SQLite's own lines for each problem; empty when the store is intact. */
  problems: string[]
  millis: number
  /** Run because the app did not close properly last time. */
  afterUncleanShutdown: boolean
}

export interface StoreBackups {
  backups: BackupInfo[]
  /** Daily backups kept. */
  keep: number
  /** The last full check, if any was run. */
  lastCheck: StoreCheck | null
}

export interface StoreRestoreResult {
  restored: BackupInfo
  /** The file name the replaced store was kept under, in the data directory. */
  keptAside: string | null
}

export const backupFileSchema = z.string().regex(/^griddesk-[0-9TZ-]+-[a-z]+\.sqlite$/, { error: 'not a backup file name' })

export const storeApi = {
  'store.backups': { input: z.object({}).strict(), output: out<StoreBackups>() },
  'store.backup': { input: z.object({}).strict(), output: out<BackupInfo>() },
  'store.restore': { input: z.object({ file: backupFileSchema }).strict(), output: out<StoreRestoreResult>(), paths: { names: ['file'] } satisfies PathFields },
  'store.check': { input: z.object({}).strict(), output: out<StoreCheck>() },
} as const
