// Zip archives from users (zipped Shapefiles, XLSX workbooks, which are zips too) are unpacked
// under caps: a small file that unpacks to gigabytes (a "zip bomb") or holds a flood of entries is
// refused, by name, before it fills the app's memory.
import JSZip from 'jszip'

/** At most this many bytes unpacked from one archive, all its entries together. */
export const MAX_UNPACKED_BYTES = 200 * 1024 * 1024
/** At most this many entries (files and folders) in one archive. */
export const MAX_ZIP_ENTRIES = 2000

export interface ZipLimits {
  maxBytes: number
  maxEntries: number
}
const LIMITS: ZipLimits = { maxBytes: MAX_UNPACKED_BYTES, maxEntries: MAX_ZIP_ENTRIES }

/** An archive over the caps; the import reports it as `archive_too_large` for the named file. */
export class ArchiveTooLargeError extends Error {
  constructor(
    readonly file: string,
    readonly limits: ZipLimits,
  ) {
    super(`${file} unpacks to more than ${limits.maxBytes / 1024 / 1024} MB or holds more than ${limits.maxEntries} entries`)
  }
}

export interface CappedZip {
  /** The entries that are files (folders left out). */
  files: JSZip.JSZipObject[]
  /** An entry's bytes; the unpacked total of the archive so far must stay under the cap. */
  read(entry: JSZip.JSZipObject): Promise<Uint8Array>
  /** Unpacks every file only to count the bytes (for readers that unpack by themselves, like exceljs). */
  checkAll(): Promise<void>
}

/**
 * Opens an archive (the directory only: nothing is unpacked yet) and refuses it at once when its
 * directory declares too many entries or bytes. Declared sizes can lie, so every read also counts
 * the bytes as they come out and stops at the cap.
 */
export async function openCappedZip(fileName: string, bytes: Uint8Array, limits: ZipLimits = LIMITS): Promise<CappedZip> {
  const zip = await JSZip.loadAsync(bytes)
  const entries = Object.values(zip.files)
  if (entries.length > limits.maxEntries) throw new ArchiveTooLargeError(fileName, limits)
  // The sizes from the zip's central directory (JSZip keeps them on its loaded entries' _data).
  const declared = entries.reduce((sum, e) => sum + ((e as unknown as { _data?: { uncompressedSize?: number } })._data?.uncompressedSize ?? 0), 0)
  if (declared > limits.maxBytes) throw new ArchiveTooLargeError(fileName, limits)
  let unpacked = 0
  const read = (entry: JSZip.JSZipObject, keep: boolean) =>
    new Promise<Uint8Array>((resolve, reject) => {
      const chunks: Uint8Array[] = []
      // internalStream (documented; missing from JSZip's types) hands over each inflated chunk.
      const stream = (entry as JSZip.JSZipObject & { internalStream(type: 'uint8array'): JSZip.JSZipStreamHelper<Uint8Array> }).internalStream('uint8array')
      stream
        .on('data', (chunk) => {
          unpacked += chunk.length
          if (unpacked > limits.maxBytes) {
            stream.pause()
            reject(new ArchiveTooLargeError(fileName, limits))
          } else if (keep) chunks.push(chunk)
        })
        .on('error', reject)
        // A copy in its own ArrayBuffer (readers such as shpjs view the whole .buffer).
        .on('end', () => resolve(new Uint8Array(Buffer.concat(chunks))))
        .resume()
    })
  const files = entries.filter((e) => !e.dir)
  return {
    files,
    read: (entry) => read(entry, true),
    checkAll: async () => {
      for (const entry of files) await read(entry, false)
    },
  }
}
