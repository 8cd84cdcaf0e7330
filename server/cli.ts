// `npm run hq:admin -- <command>`: administration of the HQ server's store (PGlite --data-dir, or
// DATABASE_URL). Prints JSON; exit code 1 on an error, 2 on a usage error.
import { parseArgs } from 'node:util'
import { AccountError, assignRegion, createUser, issueEnrolCode, listConflicts, listDevices, revokeDevice, roles, unassignRegion, type Role } from './accounts'
import { addHqBasemap, BasemapAdminError, listHqBasemaps, removeHqBasemap } from './basemaps'
import { hqBasemapsDir, makeHqDataPrivate } from './dataDir'
import { openStore, StoreLockedError, type HqDb } from './db/client'
import { importDemoCounty, importMasterFile } from './masterData'
import { purgeTombstones, TOMBSTONE_RETENTION_DAYS } from './sync'

const USAGE = `GridDesk HQ administration

Usage: npm run hq:admin -- <command> [--data-dir DIR]

  user create <name> <role>          role: ${roles.join(' | ')}
  region assign <user> <code>        org-unit code; it covers its descendants
  region unassign <user> <code>
  enrol-code <user> [--hours N]      one-time code for the user's next device
  device revoke <device-id>
  devices                            every device with its sync state
  purge-tombstones [--days N]        drop deletes older than N days (at least and default 180);
                                     devices that have not synced since then refetch their regions
  conflicts [--open]                 field conflicts recorded at push, newest first: both values,
                                     who made the edit, the value now; --open: not resolved yet
  import demo [--seed N] [--customers N] [--visits N]
                                     master data of the demo county (HQ stand-in)
  import grids|county|villages|actuals FILE [--encoding auto|utf-8|gb18030] [--crs WGS-84|GCJ-02|BD-09] [--map field=column,...] [--skip-invalid]
                                     master data from a file, checked by the app's own importers
                                     (row-level errors); all rows or none; devices get it at their next sync
  basemap add FILE [--name NAME] [--crs WGS-84|GCJ-02|BD-09]
                                     offer a tile archive (MBTiles or PMTiles, raster or vector) to
                                     devices, each within its regions; kept in DIR/basemaps (works
                                     while the server runs)
  basemap list | basemap remove ID

Store: PGlite in --data-dir (default ./hq-data), or PostgreSQL when DATABASE_URL is set.
PGlite is single-process: while \`npm run hq\` has that directory open these commands refuse to run
(a lock file in the directory says who holds it).`

/** `store`: an open store to use instead of opening one from --data-dir / DATABASE_URL (tests). */
export async function runAdmin(argv: string[], given?: HqDb): Promise<{ code: number; out: string }> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      'data-dir': { type: 'string', default: 'hq-data' },
      hours: { type: 'string' },
      seed: { type: 'string' },
      customers: { type: 'string' },
      visits: { type: 'string' },
      open: { type: 'boolean', default: false },
      days: { type: 'string' },
      encoding: { type: 'string' },
      crs: { type: 'string' },
      map: { type: 'string' },
      'skip-invalid': { type: 'boolean', default: false },
      name: { type: 'string' },
      help: { type: 'boolean', default: false },
    },
  })
  const [a, b, c, d] = positionals
  if (values.help || !a) return { code: values.help ? 0 : 2, out: USAGE }
  // Basemaps are files beside the store, not in it: no store lock needed.
  // What hq:admin writes (basemaps, PGlite's files) is for this OS user only, as with the server.
  if (a === 'basemap' || (!given && !process.env.DATABASE_URL)) makeHqDataPrivate(values['data-dir'])
  if (a === 'basemap') return basemapCommand(hqBasemapsDir(values['data-dir']), positionals.slice(1), values)
  let store: { db: HqDb; close(): Promise<void> }
  try {
    store = given
      ? { db: given, close: async () => undefined }
      : await openStore({ databaseUrl: process.env.DATABASE_URL, dataDir: values['data-dir'], holder: 'an hq:admin command' })
  } catch (error) {
    if (!(error instanceof StoreLockedError)) throw error
    return {
      code: 1,
      out: `The HQ store in ${error.dataDir} is open in ${error.holder} (process ${error.pid}). PGlite lets one process use it at a time, so nothing was changed. Stop that process (Ctrl+C in its window), run this command, then start the HQ server again.`,
    }
  }
  const db = store.db
  const num = (v: string | undefined) => (v === undefined ? undefined : Number(v))
  try {
    let result: unknown
    if (a === 'user' && b === 'create' && c && d) {
      if (!roles.includes(d as Role)) return { code: 2, out: `role must be one of ${roles.join(', ')}` }
      result = await createUser(db, c, d as Role)
    } else if (a === 'region' && b === 'assign' && c && d) result = (await assignRegion(db, c, d), { user: c, assigned: d })
    else if (a === 'region' && b === 'unassign' && c && d) result = (await unassignRegion(db, c, d), { user: c, unassigned: d })
    else if (a === 'enrol-code' && b) result = await issueEnrolCode(db, b, num(values.hours))
    else if (a === 'device' && b === 'revoke' && c) result = (await revokeDevice(db, c), { revoked: c })
    else if (a === 'devices') result = await listDevices(db)
    else if (a === 'purge-tombstones' && !b) {
      const days = num(values.days) ?? TOMBSTONE_RETENTION_DAYS
      if (!(days >= TOMBSTONE_RETENTION_DAYS)) return { code: 2, out: `--days must be at least ${TOMBSTONE_RETENTION_DAYS}` }
      result = await purgeTombstones(db, days)
    } else if (a === 'conflicts' && !b) result = await listConflicts(db, { openOnly: values.open })
    else if (a === 'import' && (b === 'grids' || b === 'county' || b === 'villages' || b === 'actuals') && c && !d) {
      const options = [
        ...(['encoding', 'crs', 'map'] as const).flatMap((k) => (values[k] === undefined ? [] : [`--${k}`, values[k]!])),
        ...(values['skip-invalid'] ? ['--skip-invalid'] : []),
      ]
      const imported = await importMasterFile(db, b, c, options)
      if (!imported.ok) return { code: 1, out: imported.report }
      result = imported
    } else if (a === 'import' && b === 'demo')
      result = await importDemoCounty(db, { seed: num(values.seed), keyCustomers: num(values.customers), visits: num(values.visits) })
    else return { code: 2, out: `unknown command: ${positionals.join(' ')}\n\n${USAGE}` }
    return { code: 0, out: JSON.stringify(result, null, 2) }
  } catch (error) {
    if (error instanceof AccountError) return { code: 1, out: JSON.stringify({ error: { code: error.code, message: error.message } }, null, 2) }
    throw error
  } finally {
    await store.close()
  }
}

async function basemapCommand(dir: string, rest: string[], values: { name?: string; crs?: string }): Promise<{ code: number; out: string }> {
  const [sub, arg] = rest
  try {
    if (sub === 'add' && arg && rest.length === 2)
      return { code: 0, out: JSON.stringify(await addHqBasemap(dir, arg, { name: values.name, crs: values.crs }), null, 2) }
    if (sub === 'list' && rest.length === 1) return { code: 0, out: JSON.stringify(listHqBasemaps(dir), null, 2) }
    if (sub === 'remove' && arg && rest.length === 2)
      return removeHqBasemap(dir, arg) ? { code: 0, out: JSON.stringify({ removed: arg }) } : { code: 1, out: `no basemap ${arg}` }
  } catch (error) {
    if (error instanceof BasemapAdminError) return { code: 1, out: error.message }
    throw error
  }
  return { code: 2, out: `unknown command: basemap ${rest.join(' ')}\n\n${USAGE}` }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { code, out } = await runAdmin(process.argv.slice(2))
  ;(code === 0 ? process.stdout : process.stderr).write(`${out}\n`)
  process.exitCode = code
}
