// Pinyin search keys for names: full pinyin without tones or spaces ("zhangsan") and initials
// ("zs"), so a Chinese user can find 张三 by either. Registered as the SQLite function
// pinyin_key(text, 'full' | 'initials') on every connection; the customer search triggers
// (migrations/0004_customer_search.sql) call it, so every write path keeps the index in step.
import { pinyin } from 'pinyin-pro'

const HAN = /\p{Script=Han}/u
const LETTERS = /^[a-zv]+$/

export type PinyinMode = 'full' | 'initials'

export function pinyinKey(text: string | null | undefined, mode: PinyinMode): string {
  if (!text) return ''
  const chars = [...text]
  let syllables: string[]
  try {
    // surname: 'head' reads 曾/单/区 as surnames (zeng, shan, ou); v: ü is typed as v.
    syllables = pinyin(text, { toneType: 'none', type: 'array', surname: 'head', v: true })
  } catch {
    syllables = []
  }
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

/** Registers pinyin_key() on a better-sqlite3 connection (before migrations run). */
export function registerPinyinFunction(sqlite: { function: (name: string, options: { deterministic: boolean }, fn: (text: unknown, mode: unknown) => string) => unknown }): void {
  sqlite.function('pinyin_key', { deterministic: true }, (text, mode) => pinyinKey(typeof text === 'string' ? text : text == null ? null : String(text), mode === 'initials' ? 'initials' : 'full'))
}
