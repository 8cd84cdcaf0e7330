// The SQLite driver installed as `better-sqlite3` is the encrypting build (an npm alias): a plain
// better-sqlite3 coming back would silently leave every store in clear.
import Database from 'better-sqlite3'
import { describe, expect, it } from 'vitest'

describe('SQLite driver', () => {
  it('is better-sqlite3-multiple-ciphers with FTS5', () => {
    const db = new Database(':memory:')
    expect(db.pragma('cipher', { simple: true })).toBeTruthy()
    db.exec('CREATE VIRTUAL TABLE t USING fts5(x)')
    db.close()
  })
})
