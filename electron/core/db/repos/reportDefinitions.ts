// Saved report definitions (local to the device).
import { eq } from 'drizzle-orm'
import type { ReportDefinition } from '../../../../shared/api/reports'
import type { Db } from '../client'
import { reportDefinitions } from '../schema'

type Row = typeof reportDefinitions.$inferSelect

const toDefinition = (r: Row): ReportDefinition => ({
  id: r.id,
  name: r.name,
  region: r.regionCode,
  periodRule: r.periodRule as ReportDefinition['periodRule'],
  formats: JSON.parse(r.formats) as ReportDefinition['formats'],
  folder: r.folder,
  csvEncoding: r.csvEncoding as ReportDefinition['csvEncoding'],
  lang: r.lang as ReportDefinition['lang'],
  createdAt: r.createdAt,
  updatedAt: r.updatedAt,
  lastRunAt: r.lastRunAt,
})

export function listDefinitions(db: Db): ReportDefinition[] {
  return db.select().from(reportDefinitions).orderBy(reportDefinitions.name).all().map(toDefinition)
}

export function getDefinition(db: Db, id: string): ReportDefinition | undefined {
  const row = db.select().from(reportDefinitions).where(eq(reportDefinitions.id, id)).get()
  return row ? toDefinition(row) : undefined
}

export function definitionIdByName(db: Db, name: string): string | undefined {
  return db.select({ id: reportDefinitions.id }).from(reportDefinitions).where(eq(reportDefinitions.name, name)).get()?.id
}

export function saveDefinition(db: Db, d: Omit<ReportDefinition, 'createdAt' | 'updatedAt' | 'lastRunAt'>, now: string): void {
  const values = {
    name: d.name,
    regionCode: d.region,
    periodRule: d.periodRule,
    formats: JSON.stringify(d.formats),
    folder: d.folder,
    csvEncoding: d.csvEncoding,
    lang: d.lang,
    updatedAt: now,
  }
  db.insert(reportDefinitions)
    .values({ id: d.id, ...values, createdAt: now })
    .onConflictDoUpdate({ target: reportDefinitions.id, set: values })
    .run()
}

export function deleteDefinition(db: Db, id: string): boolean {
  return db.delete(reportDefinitions).where(eq(reportDefinitions.id, id)).run().changes > 0
}

export function markRun(db: Db, id: string, at: string): void {
  db.update(reportDefinitions).set({ lastRunAt: at }).where(eq(reportDefinitions.id, id)).run()
}
