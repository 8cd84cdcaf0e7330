// Contract entries of the sync domain (issue 6): enrolment with HQ, running a sync, status,
// and the conflicts a grid manager reviews.
import { z } from 'zod'
import { out } from './define'

export interface SyncStatus {
  enrolled: boolean
  server: string | null
  deviceId: string
  user: { id: string; name: string; role: string } | null
  regions: string[]
  pendingChanges: number
  openConflicts: number
  rejectedChanges: { deviceSeq: number; table: string; rowId: string; reason: string | null }[]
  lastSyncAt: string | null
  lastError: string | null
  cursor: number
  clockOffsetMs: number
}

export interface SyncConflict {
  id: string
  tableName: string
  rowId: string
  field: string
  mine: unknown
  theirs: unknown
  mineHlc: string | null
  theirsHlc: string | null
  detectedAt: string
  resolvedAt: string | null
  resolution: 'mine' | 'theirs' | 'edited' | null
}

export interface SyncRunResult {
  pushed: number
  results: { applied: number; superseded: number; conflict: number; rejected: number }
  changes: { deviceSeq: number; table: string; rowId: string; status: string; reason?: string }[]
  pulledRows: number
  pages: number
  pullConflicts: number
  refetched: boolean
  regionRemoved: string[]
  dropped: number
  checkpoint: 'ok' | 'mismatch' | 'skipped'
  bytesSent: number
  bytesReceived: number
  roundTrips: number
  millis: number
  clockSkewMs: number
  warnings: string[]
}

const jsonScalar = z.union([z.string().max(200_000), z.number(), z.boolean(), z.null()])

export const syncApi = {
  'sync.status': { input: z.object({}).strict(), output: out<SyncStatus>() },
  'sync.enrol': {
    input: z
      .object({
        server: z.url({ protocol: /^https?$/ }),
        code: z.string().trim().min(4).max(64),
        deviceName: z.string().trim().min(1).max(100).optional(),
      })
      .strict(),
    output: out<SyncStatus>(),
  },
  'sync.run': { input: z.object({}).strict(), output: out<SyncRunResult>() },
  'sync.conflicts': { input: z.object({ all: z.boolean().default(false) }).strict(), output: out<SyncConflict[]>() },
  'sync.resolve': {
    input: z
      .object({ id: z.string().min(1).max(64), choice: z.enum(['mine', 'theirs', 'edit']), value: jsonScalar.optional() })
      .strict()
      .refine((i) => i.choice !== 'edit' || i.value !== undefined, { message: 'an edit needs a value', path: ['value'] }),
    output: out<SyncConflict>(),
  },
} as const
