// as: electron/core/sync/fixture.ts
import Database from 'better-sqlite3'
export const x = Database
