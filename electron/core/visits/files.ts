// Files of the visit log in the data directory. Drafts: the visit form as typed, one JSON file
// per draft under drafts/visits/, replaced atomically (write, fsync, rename) so a crash or a
// closed window leaves the last saved draft whole. Drafts are device-local working state, like
// report definitions: only a completed visit becomes synced rows. Photos: content-addressed by
// sha256 under attachments/<aa>/<sha256>, so the same picture is stored once. Both are encrypted
// with the store's file key (crypto/files.ts).
import { createHash } from 'node:crypto'
import { existsSync, mkdirSync, readdirSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import type { VisitDraft } from '../../../shared/api/visits'
import { readSealedFile, sealFile } from '../crypto/files'
import { AppError } from '../../../shared/errors'
import { isSha256 } from '../../../shared/rules'
import { writeFileDurably } from '../durable'

const draftsDir = (dataDir: string) => join(dataDir, 'drafts', 'visits')
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i
export const MAX_DRAFT_BYTES = 256 * 1024

export function writeDraft(dataDir: string, draft: VisitDraft): void {
  if (!UUID.test(draft.id)) throw new Error(`bad draft id ${draft.id}`)
  mkdirSync(draftsDir(dataDir), { recursive: true })
  writeFileDurably(join(draftsDir(dataDir), `${draft.id}.json`), sealFile(dataDir, Buffer.from(JSON.stringify(draft), 'utf8')))
}

export function readDraft(dataDir: string, id: string): VisitDraft | undefined {
  if (!UUID.test(id)) return undefined
  const path = join(draftsDir(dataDir), `${id}.json`)
  if (!existsSync(path)) return undefined
  try {
    return JSON.parse(readSealedFile(dataDir, path).toString('utf8')) as VisitDraft
  } catch {
    return undefined // a file that does not parse is not a draft (the rename makes this rare)
  }
}

export function listDrafts(dataDir: string): VisitDraft[] {
  const dir = draftsDir(dataDir)
  if (!existsSync(dir)) return []
  return readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .flatMap((f) => readDraft(dataDir, f.slice(0, -5)) ?? [])
    .sort((a, b) => b.savedAt.localeCompare(a.savedAt))
}

export function removeDraft(dataDir: string, id: string): boolean {
  if (!UUID.test(id)) return false
  const path = join(draftsDir(dataDir), `${id}.json`)
  if (!existsSync(path)) return false
  rmSync(path)
  return true
}

const MIME: Record<string, string> = {
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  png: 'image/png',
  webp: 'image/webp',
  gif: 'image/gif',
  heic: 'image/heic',
  pdf: 'application/pdf',
}

export function mimeOf(fileName: string): string | undefined {
  return MIME[fileName.toLowerCase().split('.').pop() ?? '']
}

/** The file of a blob; a name that is not a sha256 (synced input, e.g. `../../etc/passwd`) never becomes a path. */
export function attachmentPath(dataDir: string, sha256: string): string {
  if (!isSha256(sha256)) throw new AppError('NOT_FOUND', 'the attachment has no valid file checksum', { details: { badSha256: true } })
  return join(dataDir, 'attachments', sha256.slice(0, 2), sha256)
}

/** Stores bytes under their sha256 (once) and returns the hash. */
export function storeBlob(dataDir: string, bytes: Buffer): string {
  const sha256 = createHash('sha256').update(bytes).digest('hex')
  const path = attachmentPath(dataDir, sha256)
  if (!existsSync(path)) {
    mkdirSync(join(dataDir, 'attachments', sha256.slice(0, 2)), { recursive: true })
    writeFileDurably(path, sealFile(dataDir, bytes))
  }
  return sha256
}

export const blobExists = (dataDir: string, sha256: string) => existsSync(attachmentPath(dataDir, sha256))
