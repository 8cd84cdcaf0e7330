// The demo county is a sandbox: its rows never reach HQ and never meet HQ's. A device holding it
// is enrolled only after the demo is cleared (sync.enrol with clearDemo, in the same transaction
// that stores the enrolment); what the user typed into it can be exported first, as a JSON file
// listing each change with its record and values.
import type { DemoClearResult, DemoEditsExport } from '../../../shared/api/demo'
import type { HandlerContext } from '../context'
import { clearDemoRows, demoEdits } from '../db/repos/demo'
import { writeReportFile } from '../reports/write'

export function exportDemoEdits(ctx: HandlerContext, now = new Date()): DemoEditsExport {
  const changes = demoEdits(ctx.db)
  const stamp = now.toISOString().slice(0, 19).replace(/[-:]/g, '').replace('T', '-')
  const content = JSON.stringify(
    {
      kind: 'griddesk-demo-edits',
      exportedAt: now.toISOString(),
      deviceId: ctx.change.deviceId,
      note: 'Changes typed into the demo county before it was cleared. They are not sent to HQ; re-enter what you need as new records.',
      changes,
    },
    null,
    2,
  )
  return { changes: changes.length, fileName: `griddesk-demo-edits-${stamp}.json`, content }
}

/** Clears the demo in the caller's transaction (or its own), after writing the export when a path is given. */
export function clearDemo(ctx: HandlerContext, exportPath?: string): DemoClearResult {
  let exported: string | null = null
  const edits = exportDemoEdits(ctx)
  if (exportPath) {
    // Whole or not at all (a full disk leaves no partial file and says the target is full); never over an existing file.
    writeReportFile(exportPath, edits.content, false)
    exported = exportPath
  }
  const cleared = ctx.db.transaction(() => clearDemoRows(ctx.db))
  return { cleared, edits: edits.changes, exported }
}
