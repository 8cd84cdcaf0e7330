// The demo county as a sandbox: what the user typed into it (to export before it goes), and
// clearing it (from the app, the CLI, or as part of enrolling the device with HQ).
import { z } from 'zod'
import { out, type PathFields } from './define'

export interface DemoEditsExport {
  /** Changes the user made (outbox entries not sent). */
  changes: number
  fileName: string
  /** The export file's content: JSON, each change with its table, record, values and the record's name. */
  content: string
}

export interface DemoClearResult {
  /** Rows removed per table. */
  cleared: Record<string, number>
  /** The user's changes that went with the demo. */
  edits: number
  /** Where the changes were exported, when asked. */
  exported: string | null
}

export const demoApi = {
  'demo.edits': { input: z.object({}).strict(), output: out<DemoEditsExport>() },
  'demo.clear': {
    input: z
      .object({
        /** Write the user's changes to this file first (it must not exist yet). */
        exportPath: z.string().trim().min(1).max(1000).optional(),
      })
      .strict(),
    output: out<DemoClearResult>(),
    paths: { write: ['exportPath'] } satisfies PathFields,
  },
} as const
