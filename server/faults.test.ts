// The fault-injection suite at CI size: a device syncs through a loopback proxy that cuts,
// resets, delays, stalls and duplicates; HQ is killed with SIGKILL mid-sync and restarted; HQ's
// PostgreSQL connections are terminated (when a server is configured). Every scenario ends with
// device and HQ equal row by row and field by field, every outbox entry at HQ exactly once, and
// every failed sync a network error (never "unexpected"). HQ restored from a backup: syncrel.test.ts.
// Larger runs: `npx tsx bench/faults.ts --help`.
import { describe, expect, it } from 'vitest'
import { flakyLink, hqKill9, pgConnectionKill, type ScenarioResult } from './faults/scenarios'
import { withPostgres } from './testing'

const SEED = Number(process.env.GRIDDESK_FAULT_SEED ?? 19)

function expectConsistent(result: ScenarioResult, allowed: string[] = ['NETWORK']) {
  console.log(
    `fault scenario ${result.scenario} (seed ${result.seed}): ${JSON.stringify({ syncs: result.syncs, failures: result.failures, faults: result.faults, outbox: result.outboxEntries, ms: result.millis })}`,
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
      // A query cut by the termination answers 500 (INTERNAL); the next sync goes through.
      expectConsistent(await pgConnectionKill({ seed: SEED, rounds: 4, editsPerRound: 10 }), ['NETWORK', 'INTERNAL'])
    },
    300_000,
  )
})
