// Files of a data directory encrypted with its store's key: attachments, thumbnails, visit drafts.
// Format: "GDE1" | 12-byte nonce | AES-256-GCM ciphertext | 16-byte tag. The file key is
// registered per data directory when its store opens (openCore), so the file helpers keep their
// (dataDir, …) signatures. A file without the magic is a clear file from before encryption: read
// as is, and rewritten encrypted when the store is first opened with a key (encryptClearFiles).
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto'
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { AppError } from '../../../shared/errors'
import { writeFileDurably } from '../durable'

const MAGIC = Buffer.from('GDE1')
const fileKeys = new Map<string, Buffer>()

export function registerFileKey(dataDir: string, key: Buffer): void {
  fileKeys.set(resolve(dataDir), key)
}

export function forgetFileKey(dataDir: string): void {
  fileKeys.delete(resolve(dataDir))
}

function keyOf(dataDir: string): Buffer {
  const key = fileKeys.get(resolve(dataDir))
  if (!key) throw new AppError('STORE_KEY_MISSING', 'the store of this data directory is not open', { details: { reason: 'store_not_open' } })
  return key
}

export function isSealed(bytes: Buffer): boolean {
  return bytes.length >= MAGIC.length + 28 && bytes.subarray(0, MAGIC.length).equals(MAGIC)
}

export function sealWith(key: Buffer, plain: Buffer, aad = ''): Buffer {
  const nonce = randomBytes(12)
  const cipher = createCipheriv('aes-256-gcm', key, nonce)
  cipher.setAAD(Buffer.from(aad))
  const body = Buffer.concat([cipher.update(plain), cipher.final()])
  return Buffer.concat([MAGIC, nonce, body, cipher.getAuthTag()])
}

export function openWith(key: Buffer, sealed: Buffer, aad = ''): Buffer {
  const nonce = sealed.subarray(4, 16)
  const tag = sealed.subarray(sealed.length - 16)
  const decipher = createDecipheriv('aes-256-gcm', key, nonce)
  decipher.setAAD(Buffer.from(aad))
  decipher.setAuthTag(tag)
  try {
    return Buffer.concat([decipher.update(sealed.subarray(16, sealed.length - 16)), decipher.final()])
  } catch {
    throw new AppError('STORE_KEY_WRONG', 'a file of this store does not decrypt with its key (damaged, or from another store)', {
      details: { reason: 'file_auth_failed' },
    })
  }
}

/** Bytes to write for a file of `dataDir`. */
export function sealFile(dataDir: string, plain: Buffer): Buffer {
  return sealWith(keyOf(dataDir), plain)
}

/** The clear bytes of a file of `dataDir` (files from before encryption pass through). */
export function openFile(dataDir: string, bytes: Buffer): Buffer {
  return isSealed(bytes) ? openWith(keyOf(dataDir), bytes) : bytes
}

export function readSealedFile(dataDir: string, path: string): Buffer {
  return openFile(dataDir, readFileSync(path))
}

/** Encrypts every clear attachment, thumbnail and draft of `dataDir` in place (atomic per file). */
export function encryptClearFiles(dataDir: string): number {
  const key = keyOf(dataDir)
  let count = 0
  const walk = (dir: string) => {
    if (!existsSync(dir)) return
    for (const name of readdirSync(dir)) {
      const path = join(dir, name)
      const stat = statSync(path)
      if (stat.isDirectory()) walk(path)
      else if (stat.isFile() && !name.endsWith('.tmp')) {
        const bytes = readFileSync(path)
        if (isSealed(bytes)) continue
        writeFileDurably(path, sealWith(key, bytes))
        count++
      }
    }
  }
  walk(join(dataDir, 'attachments'))
  walk(join(dataDir, 'drafts'))
  return count
}
