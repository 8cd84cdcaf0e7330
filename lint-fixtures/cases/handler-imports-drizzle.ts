// as: electron/core/handlers/fixture.ts
import { sql } from 'drizzle-orm'
export const x = sql
