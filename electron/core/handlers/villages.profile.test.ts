// The profile fields beyond plain numbers (age structure, rivals' ports, share against each
// rival, key persons) through villages.update, their validation (nothing stored on bad input),
// and completeness per village and per grid (grids.summary, the map's grid choropleth).
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { INCOMPLETE_BELOW, profileCompleteness, profileFields } from '../../../shared/profile'
import { openTestCore } from '../testing'

type TestCore = ReturnType<typeof openTestCore>

let core: TestCore
let villageId: string
let gridId: string
beforeEach(async () => {
  core = openTestCore()
  await core.call('demo.load', { keyCustomers: 20, visits: 50 })
  const { rows } = await core.call('villages.list', { sort: 'completeness', order: 'desc', limit: 1 })
  villageId = rows[0]!.id
  gridId = rows[0]!.gridId!
})
afterEach(() => core.dispose())

const outbox = () => core.ctx.db.$client.prepare("SELECT fields FROM outbox WHERE table_name = 'villages' ORDER BY device_seq").all() as { fields: string }[]
const stored = (id: string) =>
  core.ctx.db.$client
    .prepare(
      `SELECT population, households, age_under_18_pct AS ageUnder18Pct, age_18_to_60_pct AS age18To60Pct, age_over_60_pct AS ageOver60Pct,
      migrant_away_pct AS migrantAwayPct, main_economy AS mainEconomy, market_days AS marketDays, festivals, education_level AS educationLevel,
      fibre_covered AS fibreCovered, our_ports AS ourPorts, rival_ports AS rivalPorts, signal_4g AS signal4g, signal_5g AS signal5g,
      our_mobile_subs AS ourMobileSubs, our_broadband_subs AS ourBroadbandSubs, penetration_pct AS penetrationPct,
      share_vs_rivals AS shareVsRivals, key_persons AS keyPersons FROM villages WHERE id = ?`,
    )
    .get(id) as Record<string, unknown>

describe('villages.update with the whole profile', () => {
  it('stores the age structure, rivals’ ports, share against each rival and key persons, through the outbox', async () => {
    const after = await core.call('villages.update', {
      id: villageId,
      patch: {
        ageUnder18Pct: 18.5,
        age18To60Pct: 55.2,
        ageOver60Pct: 26.3,
        rivalPorts: { telecom: 320, unicom: 40 },
        shareVsRivals: { telecom: 62.5, unicom: 80, broadnet: null },
        keyPersons: [
          { name: '韦国强', role: '村支书', phone: '138 0776 1234', notes: '支持宽带进村' },
          { name: '黄小梅', role: '小卖部老板', phone: null, notes: null },
        ],
      },
    })
    expect(after).toMatchObject({
      ageUnder18Pct: 18.5,
      age18To60Pct: 55.2,
      ageOver60Pct: 26.3,
      rivalPorts: { telecom: 320, unicom: 40, broadnet: null },
      shareVsRivals: { telecom: 62.5, unicom: 80, broadnet: null },
      keyPersons: [
        { name: '韦国强', role: '村支书', phone: '13807761234', notes: '支持宽带进村' },
        { name: '黄小梅', role: '小卖部老板', phone: null, notes: null },
      ],
    })
    const [entry, ...more] = outbox()
    expect(more).toHaveLength(0)
    const fields = JSON.parse(entry!.fields) as Record<string, unknown>
    expect(JSON.parse(fields.rival_ports as string)).toEqual({ telecom: 320, unicom: 40 })
    expect(JSON.parse(fields.share_vs_rivals as string)).toEqual({ telecom: 62.5, unicom: 80 })
    expect(JSON.parse(fields.key_persons as string)).toHaveLength(2)
    // The map reads the head-to-head share as stored.
    const unit = (await core.call('map.choropleth', {})).villages.find((v) => v.id === villageId)!
    expect(unit.metrics.shareVsTelecom).toBe(62.5)
    expect(unit.metrics.shareVsBroadnet).toBeNull()
  })

  it('clears rivals’ figures and key persons with null or an empty list, and completeness drops by one field each', async () => {
    const before = await core.call('villages.get', { id: villageId })
    expect(before.completeness).toBe(1)
    const after = await core.call('villages.update', { id: villageId, patch: { rivalPorts: { telecom: null }, keyPersons: [], ageOver60Pct: null } })
    expect(after.rivalPorts).toBeNull()
    expect(after.keyPersons).toEqual([])
    expect(after.completeness).toBeCloseTo(1 - 3 / profileFields.length, 10)
    expect(stored(villageId)).toMatchObject({ rivalPorts: null, keyPersons: null, ageOver60Pct: null })
  })

  it.each([
    [
      'age shares adding up to 150',
      { ageUnder18Pct: 50, age18To60Pct: 50, ageOver60Pct: 50 },
      [
        ['ageUnder18Pct', 'age_sum'],
        ['age18To60Pct', 'age_sum'],
        ['ageOver60Pct', 'age_sum'],
      ],
    ],
    ['an age share over 100', { ageOver60Pct: 130 }, [['ageOver60Pct', 'pct_range']]],
    ['a share against a rival of 120', { shareVsRivals: { telecom: 120 } }, [['shareVsRivals.telecom', 'pct_range']]],
    ['negative rival ports', { rivalPorts: { unicom: -4 } }, [['rivalPorts.unicom', '']]],
    ['a rival outside the list', { rivalPorts: { mobile: 3 } }, [['rivalPorts', '']]],
    [
      'a key person without a name and with a bad phone',
      { keyPersons: [{ name: ' ', phone: '12345' }] },
      [
        ['keyPersons.0.name', 'required'],
        ['keyPersons.0.phone', 'phone_format'],
      ],
    ],
    ['one age share that breaks the stored others', { ageOver60Pct: 90 }, [['ageOver60Pct', 'age_sum']]],
  ] as const)('rejects %s with per-field issues, and stores nothing', async (_label, patch, expected) => {
    const before = stored(villageId)
    const envelope = await core.dispatch('villages.update', { id: villageId, patch })
    expect(envelope.ok).toBe(false)
    if (envelope.ok) return
    expect(envelope.error.code).toBe('VALIDATION')
    const issues = envelope.error.issues!.map((i) => [i.path.slice(1).join('.'), i.message])
    for (const [path, code] of expected) expect(issues.some(([p, m]) => p === path && (code === '' || m === code))).toBe(true)
    expect(stored(villageId)).toEqual(before)
    expect(outbox()).toHaveLength(0)
  })

  it('accepts age shares that miss 100 by rounding, and a partial age structure', async () => {
    await core.call('villages.update', { id: villageId, patch: { ageUnder18Pct: 20.4, age18To60Pct: 58.2, ageOver60Pct: 21.9 } })
    const partial = await core.call('villages.update', { id: villageId, patch: { ageUnder18Pct: null, age18To60Pct: null, ageOver60Pct: 25 } })
    expect(partial.ageOver60Pct).toBe(25)
    // Only two shares known: the age structure does not count.
    expect(partial.completeness).toBeCloseTo(1 - 1 / profileFields.length, 10)
  })
})

describe('completeness per village and per grid', () => {
  it('is computed in SQL exactly as the shared rule does, also for odd stored text', async () => {
    const db = core.ctx.db.$client
    const { rows } = await core.call('villages.list', { gridId, limit: 5000 })
    // Text the form never writes but an import or HQ might: blank, empty JSON, partial ages.
    db.prepare("UPDATE villages SET rival_ports = '{}', key_persons = ' [] ', festivals = '  ' WHERE id = ?").run(rows[0]!.id)
    db.prepare("UPDATE villages SET share_vs_rivals = 'null', age_18_to_60_pct = NULL WHERE id = ?").run(rows[1]!.id)
    db.prepare('UPDATE villages SET share_vs_rivals = \'{"telecom":null}\', our_ports = 0, fibre_covered = 0 WHERE id = ?').run(rows[2]!.id)
    const after = await core.call('villages.list', { gridId, limit: 5000 })
    for (const row of after.rows) expect(row.completeness).toBeCloseTo(profileCompleteness(stored(row.id)), 10)
    expect(after.rows.find((r) => r.id === rows[0]!.id)!.completeness).toBeCloseTo(1 - 3 / profileFields.length, 10)
  })

  it('gives each grid the mean of its villages and the count below the threshold, the same in the summary and on the map', async () => {
    const grids = await core.call('grids.list', {})
    const map = await core.call('map.choropleth', {})
    let incompleteSeen = 0
    for (const grid of grids) {
      const { rows } = await core.call('villages.list', { gridId: grid.id, limit: 5000 })
      const summary = await core.call('grids.summary', { id: grid.id })
      const mean = rows.reduce((s, r) => s + r.completeness, 0) / rows.length
      const incomplete = rows.filter((r) => r.completeness < INCOMPLETE_BELOW).length
      expect(summary.profileCompleteness).toBeCloseTo(mean, 10)
      expect(summary.incompleteVillages).toBe(incomplete)
      const unit = map.grids.find((g) => g.id === grid.id)!
      expect(unit.metrics.completeness).toBe(Math.round(mean * 1000) / 10)
      expect(unit.facts.incompleteVillages).toBe(incomplete)
      incompleteSeen += incomplete
    }
    // The demo county leaves some surveys unfinished.
    expect(incompleteSeen).toBeGreaterThan(0)
    expect(map.villages.every((v) => v.facts.incompleteVillages === null)).toBe(true)
  })

  it('follows an edit: clearing fields lowers the grid’s mean and can add an incomplete village', async () => {
    const before = await core.call('grids.summary', { id: gridId })
    await core.call('villages.update', {
      id: villageId,
      patch: {
        ageOver60Pct: null,
        rivalPorts: null,
        shareVsRivals: null,
        keyPersons: null,
        festivals: null,
        marketDays: null,
        educationLevel: null,
        mainEconomy: null,
      },
    })
    const village = await core.call('villages.get', { id: villageId })
    expect(village.completeness).toBeCloseTo(10 / 18, 10)
    const after = await core.call('grids.summary', { id: gridId })
    expect(after.profileCompleteness!).toBeCloseTo(before.profileCompleteness! - (1 - 10 / 18) / after.villages, 10)
    expect(after.incompleteVillages).toBe(before.incompleteVillages + 1)
  })

  it('gives a grid without villages no completeness', async () => {
    const db = core.ctx.db.$client
    const { rows } = await core.call('villages.list', { gridId, limit: 5000 })
    db.prepare('UPDATE villages SET grid_id = NULL WHERE grid_id = ?').run(gridId)
    const summary = await core.call('grids.summary', { id: gridId })
    expect(rows.length).toBeGreaterThan(0)
    expect(summary).toMatchObject({ villages: 0, profileCompleteness: null, incompleteVillages: 0 })
  })
})
