// The fault-injection suite at CI size: a device syncs through a loopback proxy that cuts,
// resets, delays, stalls and duplicates; HQ is killed with SIGKILL mid-sync and restarted; HQ's
// PostgreSQL connections are terminated (when a server is configured). Every scenario ends with
// device and HQ equal row by row and field by field, every outbox entry at HQ exactly once, and
// every failed sync a network error (never "unexpected"); HQ restored from a backup; HQ's
// PostgreSQL restarted (a private throwaway cluster, never the shared one).
// Larger runs: `npx tsx bench/faults.ts --help`.
import { describe, expect, it } from 'vitest'
import { allowedFailures, flakyLink, hqKill9, hqRestored, pgConnectionKill, pgRestart, privateClusterPossible, type ScenarioResult } from './faults/scenarios'
import { databaseUnavailable } from './app'
import { SyncHttpError, HqClient } from '../electron/core/sync/hqClient'
import { PROTOCOL_VERSION, type EnrolResponse } from '../shared/sync/protocol'
import { SYNC_SCHEMA_VERSION } from '../shared/sync/versions'
import { startTestHq, withPostgres } from './testing'

const SEED = Number(process.env.GRIDDESK_FAULT_SEED ?? 19)

const cluster = privateClusterPossible()
if (!cluster.ok) console.warn(`SKIPPED: the PostgreSQL restart fault scenario needs a private cluster: ${cluster.why}`)

function expectConsistent(result: ScenarioResult, allowed: string[] = allowedFailures(result.scenario)) {
  console.log(
    `fault scenario ${result.scenario} (seed ${result.seed}): ${JSON.stringify({ syncs: result.syncs, failures: result.failures, faults: result.faults, warnings: result.warnings, outbox: result.outboxEntries, ms: result.millis })}`,
  )
  expect(result.differences).toEqual([])
  expect(result.outboxProblems).toEqual([])
  expect(result.outboxEntries).toBeGreaterThanOrEqual(result.edits > 0 ? 1 : 0)
  for (const code of Object.keys(result.failures)) expect(allowed).toContain(code)
}

describe('fault injection', () => {
  it('a link that cuts, resets, delays, stalls and duplicates loses and doubles nothing', async () => {
    const result = await flakyLink({ seed: SEED, rounds: 12, editsPerRound: 15, faultRate: 0.6 })
    expectConsistent(result)
    expect(Object.values(result.failures).reduce((a, b) => a + b, 0)).toBeGreaterThan(0)
  }, 300_000)

  it('HQ killed with SIGKILL mid-sync and restarted (PGlite, its lock taken over) loses and doubles nothing', async () => {
    // A sync can also meet HQ while it starts (connection refused): NETWORK as well.
    expectConsistent(await hqKill9({ seed: SEED, kills: 3, editsPerRound: 20 }))
  }, 300_000)

  it.runIf(withPostgres)(
    'PostgreSQL connections terminated under HQ: the pool reconnects, nothing lost or doubled',
    async () => {
      // A query cut by the termination answers 503 HQ_UNAVAILABLE with Retry-After (never 500
      // INTERNAL); the device sends it again after a short wait, or the next sync goes through.
      expectConsistent(await pgConnectionKill({ seed: SEED, rounds: 4, editsPerRound: 10 }), ['NETWORK', 'HQ_UNAVAILABLE'])
    },
    300_000,
  )

  it('HQ restored from a backup (PGlite) after acknowledging more work: said, re-sent, nothing lost or doubled', async () => {
    const result = await hqRestored({ seed: SEED, rounds: 3, editsPerRound: 10 })
    expectConsistent(result)
    expect(result.warnings?.hq_restored).toBeGreaterThan(0)
  }, 300_000)

  // A private throwaway cluster (initdb, a free port): never the shared server other tests use.
  it.runIf(cluster.ok)(
    "HQ's PostgreSQL restarted mid-sync: HQ stays up, its pool reconnects, nothing lost or doubled",
    async () => {
      expectConsistent(await pgRestart({ seed: SEED, rounds: 3, editsPerRound: 30 }), ['NETWORK', 'HQ_UNAVAILABLE'])
    },
    300_000,
  )
})

describe('a query the database cut', () => {
  it('is told apart from a failure of the request: terminated, shutting down, starting up, connection lost — also wrapped', () => {
    const pgError = (code: string, message: string) => Object.assign(new Error(message), { code })
    for (const error of [
      pgError('57P01', 'terminating connection due to administrator command'),
      pgError('57P03', 'the database system is starting up'),
      pgError('08006', 'connection failure'),
      new Error('Connection terminated unexpectedly'),
      Object.assign(new Error('Failed query: select 1'), { cause: new Error('Connection terminated unexpectedly') }),
      Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' }),
    ])
      expect(databaseUnavailable(error), String(error)).toBe(true)
    for (const error of [pgError('23505', 'duplicate key'), pgError('22P02', 'invalid input syntax'), new TypeError('x is undefined'), undefined])
      expect(databaseUnavailable(error), String(error)).toBe(false)
  })

  it('HQ answers 503 HQ_UNAVAILABLE with Retry-After (never 500 INTERNAL), and the device sends it again', async () => {
    const hq = await startTestHq()
    try {
      const code = await hq.userWithCode('cut', 'grid_manager', ['451022-G03'])
      const enrolled = await new HqClient(hq.url).request<EnrolResponse>('POST', '/v1/enrol', { code, deviceName: 'cut' })
      // The next query HQ runs is cut as PostgreSQL's termination cuts it.
      const client = (hq.store.db as unknown as { $client: { query: (...args: unknown[]) => Promise<unknown> } }).$client
      const query = client.query.bind(client)
      let cuts = 1
      client.query = async (...args: unknown[]) => {
        if (cuts-- > 0) throw Object.assign(new Error('terminating connection due to administrator command'), { code: '57P01' })
        return query(...args)
      }
      const path = `/v1/pull?cursor=0&limit=1&protocol_version=${PROTOCOL_VERSION}&schema_version=${SYNC_SCHEMA_VERSION}`
      const raw = await fetch(new URL(path, hq.url), { headers: { authorization: `Bearer ${enrolled.token}` } })
      expect(raw.status).toBe(503)
      expect(raw.headers.get('retry-after')).toBe('1')
      expect(await raw.json()).toMatchObject({ error: { code: 'HQ_UNAVAILABLE', details: { retry_after_s: 1 } } })
      cuts = 1
      const device = new HqClient(hq.url, enrolled.token)
      const waits: number[] = []
      device.busyRetry = { retries: 6, sleep: async (ms) => void waits.push(ms) }
      expect(await device.request('GET', path)).toHaveProperty('rows')
      expect(waits).toHaveLength(1)
      cuts = 99
      const error = await device.request('GET', path).catch((e: unknown) => e)
      expect(error).toBeInstanceOf(SyncHttpError)
      expect(error).toMatchObject({ status: 503, code: 'HQ_UNAVAILABLE' })
      cuts = 0
    } finally {
      await hq.close()
    }
  }, 120_000)
})
