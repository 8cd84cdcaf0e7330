// Pinyin search keys for names: full pinyin without tones or spaces ("zhangsan") and initials
// ("zs"), so a Chinese user can find 张三 by either. Registered as the SQLite function
// pinyin_key(text, 'full' | 'initials') on every connection; the customer search triggers
// (migrations/0004_customer_search.sql) call it, so every write path keeps the index in step.
// pinyin-pro (its dictionaries take a quarter of a second to load) is required on the first name
// that needs a key, not at start-up: a SQLite function is synchronous, so it cannot await import().
import { createRequire } from 'node:module'

let pinyinPro: typeof import('pinyin-pro') | undefined
const loadPinyin = () => (pinyinPro ??= createRequire(import.meta.url)('pinyin-pro') as typeof import('pinyin-pro'))

const HAN = /\p{Script=Han}/u
const LETTERS = /^[a-zv]+$/

export type PinyinMode = 'full' | 'initials'

/**
 * The last name's syllables: the full key and the initials of one name are asked for one after
 * the other (a search row has both), and pinyin-pro's reading is most of either's cost (a
 * county's 20,000 customers: ~0.8 s at the end of a first pull, half of it saved).
 */
let lastRead: { text: string; syllables: string[] } | undefined

function syllablesOf(text: string): string[] {
  if (lastRead?.text === text) return lastRead.syllables
  let syllables: string[]
  try {
    // surname: 'head' reads 曾/单/区 as surnames (zeng, shan, ou); v: ü is typed as v.
    syllables = loadPinyin().pinyin(text, { toneType: 'none', type: 'array', surname: 'head', v: true })
  } catch {
    syllables = []
  }
  lastRead = { text, syllables }
  return syllables
}

export function pinyinKey(text: string | null | undefined, mode: PinyinMode): string {
  if (!text) return ''
  const chars = [...text]
  const syllables = syllablesOf(text)
  const aligned = syllables.length === chars.length
  let key = ''
  chars.forEach((ch, i) => {
    if (HAN.test(ch)) {
      const syllable = aligned ? syllables[i]!.toLowerCase() : ''
      // A character pinyin-pro does not know comes back as itself: it adds no key.
      if (LETTERS.test(syllable)) key += mode === 'full' ? syllable : syllable[0]
    } else if (/[0-9a-z]/i.test(ch)) key += ch.toLowerCase()
  })
  return key
}

/**
 * A name's characters one by one, separated by spaces ("南立村" → "南 立 村"): FTS5's unicode61
 * tokenizer then indexes each character as a token, so a one- or two-character query ("南立",
 * "立村") is a phrase query on the index instead of a scan of every name (migrations/0010).
 */
export function nameChars(text: string | null | undefined): string {
  return text ? [...text.toLowerCase()].filter((ch) => /[\p{L}\p{N}]/u.test(ch)).join(' ') : ''
}

/** Registers pinyin_key() and name_chars() on a better-sqlite3 connection (before migrations run). */
export function registerPinyinFunction(sqlite: {
  function: (name: string, options: { deterministic: boolean }, fn: (text: unknown, mode: unknown) => string) => unknown
}): void {
  const asText = (text: unknown) => (typeof text === 'string' ? text : text == null ? null : String(text))
  sqlite.function('pinyin_key', { deterministic: true }, (text, mode) => pinyinKey(asText(text), mode === 'initials' ? 'initials' : 'full'))
  sqlite.function('name_chars', { deterministic: true }, (text) => nameChars(asText(text)))
}
