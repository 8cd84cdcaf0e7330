// Loads the demo county 田东县 into an empty store, in one transaction.
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import type { DemoLoadResult, ParsedInput } from '../../../shared/api/contract'
import type { HandlerContext } from '../context'
import { insertDemoCounty } from '../db/repos/demo'
import { setState } from '../db/repos/syncState'
import { generateDemoCounty, parseDivisionsCsv, type DivisionRow } from './generate'

export const DIVISIONS_FILE = join('data', 'divisions', 'tiandong_451022_divisions.csv')

export function readDemoDivisions(resourcesDir: string): DivisionRow[] {
  return parseDivisionsCsv(readFileSync(join(resourcesDir, DIVISIONS_FILE), 'utf8'))
}

export function loadDemoCounty(ctx: HandlerContext, input: ParsedInput<'demo.load'>, now = new Date()): DemoLoadResult {
  const started = performance.now()
  const county = generateDemoCounty(readDemoDivisions(ctx.resourcesDir), { ...input, now })
  ctx.db.transaction((tx) => {
    insertDemoCounty(ctx.db, county)
    setState(tx, 'demo_seed', String(input.seed))
  })
  return {
    grids: county.orgUnits.filter((o) => o.level === 'grid').length,
    villages: county.villages.length,
    keyCustomers: county.keyCustomers.length,
    visits: county.visits.length,
    competitorIntel: county.competitorIntel.length,
    millis: Math.round(performance.now() - started),
  }
}
