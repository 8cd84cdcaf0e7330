// Runs an import job (import.start, then import.progress until it ends) and reports each step, so
// the dialog shows a progress bar while a large file is read, checked and written in the background.
import type { ImportJobProgress } from '../../../../shared/api/imports'
import type { Input } from '../../../../shared/api/contract'
import { AppError } from '../../../../shared/errors'
import { call } from '../../api/client'

const over = (p: ImportJobProgress) => p.phase === 'done' || p.phase === 'failed' || p.phase === 'cancelled'
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

/**
 * Resolves with the finished job (phase 'done' or 'cancelled'); a failed job throws its error
 * (a VALIDATION error carries the row-level report, as import.commit's does). Aborting the signal
 * cancels the job and stops polling.
 */
export async function runImportJob(
  input: Input<'import.start'>,
  onProgress: (progress: ImportJobProgress) => void,
  signal: AbortSignal,
): Promise<ImportJobProgress | null> {
  const { jobId } = await call('import.start', input)
  const cancel = () => void call('import.cancel', { jobId }).catch(() => {})
  if (signal.aborted) cancel()
  signal.addEventListener('abort', cancel)
  try {
    // Quick first looks (small files finish at once), then every 300 ms.
    for (let wait = 60; ; wait = Math.min(wait * 2, 300)) {
      if (signal.aborted) return null
      const progress = await call('import.progress', { jobId })
      if (signal.aborted) return null
      onProgress(progress)
      if (progress.phase === 'failed' && progress.error) {
        const { code, message, details } = progress.error
        throw new AppError(code as AppError['code'], message, { details })
      }
      if (over(progress)) return progress
      await sleep(wait)
    }
  } finally {
    signal.removeEventListener('abort', cancel)
  }
}
