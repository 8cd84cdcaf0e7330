// Table-driven tests of the merge kernel: each rule with the cases on both sides of it.
import { describe, expect, it } from 'vitest'
import {
  adoptServerField,
  aliasSame,
  BOOKKEEPING_COLUMNS,
  compareVersions,
  decideField,
  expandVersions,
  fieldVersion,
  foldPending,
  isConflict,
  maxVersion,
  mergeChange,
  mergePulledRow,
  rowVersion,
  sameValue,
  sparseAround,
  sparseRowVersion,
  splitVersions,
  type FieldDecision,
  type MergeChange,
  type PendingField,
  type StoredRow,
  type VersionAliases,
} from './kernel'

// HLCs sort as strings: wall time, counter, device.
const V1 = '0001-0000-a'
const V2 = '0002-0000-b'
const V3 = '0003-0000-a'
const V4 = '0004-0000-c'

describe('compareVersions and maxVersion', () => {
  it.each([
    [V1, V2, -1],
    [V2, V1, 1],
    [V2, V2, 0],
    [null, V1, -1],
    [V1, null, 1],
    [null, null, 0],
    ['', V1, -1],
    [V1, '', 1],
  ] as const)('compare(%s, %s) = %i', (a, b, expected) => {
    expect(Math.sign(compareVersions(a, b))).toBe(expected)
  })

  it.each([
    [[], null],
    [[V1], V1],
    [[V2, V1, V3], V3],
    [[V3, V3], V3],
    [['', V1], V1],
    [[''], ''],
  ] as [string[], string | null][])('max of %j is %s', (list, expected) => {
    expect(maxVersion(list)).toBe(expected)
  })

  it('rowVersion is the greatest field version, or empty without fields', () => {
    expect(rowVersion({})).toBe('')
    expect(rowVersion({ a: V2, b: V4, c: V1 })).toBe(V4)
  })
})

describe('sameValue', () => {
  it.each([
    [1, 1, true],
    [1, 2, false],
    [1, '1', false],
    ['a', 'a', true],
    ['a', 'b', false],
    ['', null, false],
    [0, null, false],
    [false, null, false],
    [false, 0, false],
    [true, true, true],
    [null, null, true],
    [null, undefined, true],
    [undefined, undefined, true],
    [{ a: 1 }, { a: 1 }, true],
    [{ a: 1 }, { a: 2 }, false],
    [[1, 2], [1, 2], true],
    [[1, 2], '1,2', false],
    [{ a: 1 }, null, false],
    [null, { a: 1 }, false],
    ['[1,2]', [1, 2], false],
    // Numbers JSON cannot tell apart are still different values.
    [Number.NaN, Number.POSITIVE_INFINITY, false],
    [Number.NaN, Number.NaN, false],
  ] as [unknown, unknown, boolean][])('%j vs %j → %s', (a, b, expected) => {
    expect(sameValue(a, b)).toBe(expected)
    expect(sameValue(b, a)).toBe(expected)
  })
})

describe('sparse versions', () => {
  it.each([
    [{}, { version: '', versions: {} }],
    [{ a: V1 }, { version: V1, versions: {} }],
    [
      { a: V1, b: V1, c: V2 },
      { version: V1, versions: { c: V2 } },
    ],
    [
      { a: V1, b: V2 },
      { version: V2, versions: { a: V1 } },
    ], // tie: the greatest
    [
      { a: V2, b: V1 },
      { version: V2, versions: { b: V1 } },
    ],
    [
      { a: V3, b: V1, c: V1, d: V3, e: V2 },
      { version: V3, versions: { b: V1, c: V1, e: V2 } },
    ],
  ])('split %j', (full, expected) => {
    expect(splitVersions(full)).toEqual(expected)
    // Expanding again gives every field its version back.
    expect(expandVersions(Object.keys(full), splitVersions(full))).toEqual(full)
  })

  it('a field not listed has the common version; a listed one its own', () => {
    const sparse = { version: V2, versions: { notes: V3 } }
    expect(fieldVersion(sparse, 'name')).toBe(V2)
    expect(fieldVersion(sparse, 'notes')).toBe(V3)
  })

  it.each([
    [{ version: V2, versions: {} }, V2],
    [{ version: V2, versions: { a: V1 } }, V2],
    [{ version: V2, versions: { a: V4, b: V1 } }, V4],
    [{ version: '', versions: {} }, ''],
    [{ version: '', versions: { a: V1 } }, V1],
  ])('row version of %j is %s', (sparse, expected) => {
    expect(sparseRowVersion(sparse)).toBe(expected)
  })

  it('sparseAround lists only fields whose version differs', () => {
    expect(
      sparseAround(V2, [
        ['a', V2],
        ['b', V1],
        ['c', V3],
      ]),
    ).toEqual({ b: V1, c: V3 })
    expect(sparseAround(V2, [])).toEqual({})
  })

  it('bookkeeping columns are the id and the device-only columns', () => {
    expect([...BOOKKEEPING_COLUMNS].sort()).toEqual(['created_at', 'hlc', 'id', 'updated_at'])
  })
})

describe('the field rule', () => {
  // held (value, version) · incoming (value, version, base) → decision
  it.each([
    ['nothing held', undefined, { value: 'x', version: V2, base: null }, 'take'],
    ['held without a version', { value: 'x', version: null }, { value: 'y', version: V2, base: null }, 'take'],
    ['held without a version, the writer saw one', { value: 'x', version: null }, { value: 'y', version: V2, base: V1 }, 'take'],
    ['held without a version, equal value', { value: 'x', version: null }, { value: 'x', version: V2, base: V1 }, 'take'],
    ['clean edit, newer', { value: 'a', version: V1 }, { value: 'b', version: V2, base: V1 }, 'take'],
    ['clean edit, older', { value: 'a', version: V3 }, { value: 'b', version: V2, base: V3 }, 'superseded'],
    ['clean edit, same version', { value: 'a', version: V2 }, { value: 'b', version: V2, base: V2 }, 'superseded'],
    ['stale base, different value', { value: 'a', version: V2 }, { value: 'b', version: V3, base: V1 }, 'conflict'],
    ['no base, different value', { value: 'a', version: V2 }, { value: 'b', version: V3, base: null }, 'conflict'],
    ['stale base, equal value', { value: 'a', version: V2 }, { value: 'a', version: V3, base: V1 }, 'same'],
    ['stale base, older change, equal value', { value: 'a', version: V3 }, { value: 'a', version: V1, base: null }, 'same'],
    ['stale base, older change, different value', { value: 'a', version: V3 }, { value: 'b', version: V1, base: V2 }, 'conflict'],
    ['null to value, clean', { value: null, version: V1 }, { value: 3, version: V2, base: V1 }, 'take'],
    ['value to null, stale', { value: 3, version: V2 }, { value: null, version: V3, base: V1 }, 'conflict'],
    ['null and undefined are equal', { value: undefined, version: V2 }, { value: null, version: V3, base: V1 }, 'same'],
    ['false vs null differ', { value: false, version: V2 }, { value: null, version: V3, base: V1 }, 'conflict'],
  ] as [string, { value: unknown; version: string | null } | undefined, { value: unknown; version: string; base: string | null }, FieldDecision][])(
    '%s → %s',
    (_name, held, incoming, expected) => {
      expect(decideField(held, incoming)).toBe(expected)
      if (held) expect(isConflict(held, incoming)).toBe(expected === 'conflict')
    },
  )
})

const change = (fields: Record<string, unknown>, base: Record<string, string | null>, hlc = V3, row = 'r1'): MergeChange => ({
  table_name: 'villages',
  row_id: row,
  hlc,
  fields,
  base,
})
const stored = (fields: Record<string, unknown>, version: string): StoredRow => ({
  fields,
  versions: Object.fromEntries(Object.keys(fields).map((f) => [f, version])),
})

describe('mergeChange (the server merging a pushed change)', () => {
  it('a new row takes every field with the change version', () => {
    const out = mergeChange(undefined, change({ name: '新村', households: 10 }, { name: null, households: null }), new Map())
    expect(out).toEqual({
      status: 'applied',
      changed: true,
      next: { fields: { name: '新村', households: 10 }, versions: { name: V3, households: V3 } },
      server: {},
      conflicts: [],
    })
  })

  it('different fields merge; the untouched field keeps its version', () => {
    const out = mergeChange(stored({ name: 'a', notes: 'n' }, V1), change({ notes: 'm' }, { notes: V1 }), new Map())
    expect(out.status).toBe('applied')
    expect(out.next).toEqual({ fields: { name: 'a', notes: 'm' }, versions: { name: V1, notes: V3 } })
    expect(out.changed).toBe(true)
  })

  it('a conflict keeps the server value, reports both, and changes nothing', () => {
    const current = { fields: { notes: 'theirs' }, versions: { notes: V2 } }
    const out = mergeChange(current, change({ notes: 'mine' }, { notes: V1 }), new Map())
    expect(out.status).toBe('conflict')
    expect(out.changed).toBe(false)
    expect(out.next).toEqual(current)
    expect(out.server).toEqual({ notes: { value: 'theirs', version: V2, outcome: 'conflict' } })
    expect(out.conflicts).toEqual([{ field: 'notes', serverValue: 'theirs', serverHlc: V2, deviceValue: 'mine' }])
  })

  it('does not change the row it was given', () => {
    const current = { fields: { notes: 'a' }, versions: { notes: V1 } }
    mergeChange(current, change({ notes: 'b' }, { notes: V1 }), new Map())
    expect(current).toEqual({ fields: { notes: 'a' }, versions: { notes: V1 } })
  })

  it('one conflicting field makes the change a conflict while the other fields apply', () => {
    const out = mergeChange(
      { fields: { notes: 'theirs', name: 'a' }, versions: { notes: V2, name: V1 } },
      change({ notes: 'mine', name: 'b' }, { notes: V1, name: V1 }),
      new Map(),
    )
    expect(out.status).toBe('conflict')
    expect(out.changed).toBe(true)
    expect(out.next.fields).toEqual({ notes: 'theirs', name: 'b' })
    expect(out.conflicts.map((c) => c.field)).toEqual(['notes'])
  })

  it('an older clean write is superseded and told the newer value', () => {
    const out = mergeChange(stored({ notes: 'newer' }, V4), change({ notes: 'older' }, { notes: V4 }, V3), new Map())
    expect(out).toMatchObject({
      status: 'superseded',
      changed: false,
      conflicts: [],
      server: { notes: { value: 'newer', version: V4, outcome: 'superseded' } },
    })
  })

  it('an equal value is applied without a new seq, and the device is told to keep the server version', () => {
    const out = mergeChange(stored({ notes: 'x' }, V2), change({ notes: 'x' }, { notes: V1 }), new Map())
    expect(out).toMatchObject({ status: 'applied', changed: false, server: { notes: { value: 'x', version: V2, outcome: 'same' } } })
  })

  it('a replayed change (its own version held) says nothing', () => {
    const aliases: VersionAliases = new Map()
    const out = mergeChange(stored({ notes: 'x' }, V3), change({ notes: 'x' }, { notes: V1 }, V3), aliases)
    expect(out).toMatchObject({ status: 'applied', changed: false })
    expect(out.server).toEqual({})
    expect(aliases.size).toBe(0)
  })

  it('a change with no fields is superseded and changes nothing', () => {
    expect(mergeChange(stored({ notes: 'x' }, V1), change({}, {}), new Map())).toMatchObject({ status: 'superseded', changed: false })
  })

  it('a later change of the batch based on an aliased version is clean, not a conflict', () => {
    const aliases: VersionAliases = new Map()
    // 1st change: same value as the server's V2 → the device keeps V2 (alias V3 → V2).
    const first = mergeChange(stored({ notes: 'x' }, V2), change({ notes: 'x' }, { notes: V1 }, V3), aliases)
    expect(first.server.notes?.outcome).toBe('same')
    // 2nd change of the same device, based on its own V3: translated to V2 → clean edit.
    const second = mergeChange(first.next, change({ notes: 'y' }, { notes: V3 }, V4), aliases)
    expect(second.status).toBe('applied')
    expect(second.next.fields.notes).toBe('y')
    // Without the alias the same change is a conflict.
    expect(mergeChange(first.next, change({ notes: 'y' }, { notes: V3 }, V4), new Map()).status).toBe('conflict')
  })

  it('a replayed "same" answer (aliasSame) makes the later change of the batch clean too', () => {
    const aliases: VersionAliases = new Map()
    aliasSame(aliases, change({ notes: 'x' }, { notes: V1 }, V3), 'notes', V2)
    expect(mergeChange(stored({ notes: 'x' }, V2), change({ notes: 'y' }, { notes: V3 }, V4), aliases)).toMatchObject({
      status: 'applied',
      next: { fields: { notes: 'y' } },
    })
    // The server's version being the change's own says nothing.
    const none: VersionAliases = new Map()
    aliasSame(none, change({ notes: 'x' }, { notes: V1 }, V3), 'notes', V3)
    expect(none.size).toBe(0)
  })

  it('aliases are per table, row and field', () => {
    const aliases: VersionAliases = new Map()
    mergeChange(stored({ notes: 'x' }, V2), change({ notes: 'x' }, { notes: V1 }, V3, 'r1'), aliases)
    expect(mergeChange(stored({ notes: 'x' }, V2), change({ notes: 'y' }, { notes: V3 }, V4, 'r2'), aliases).status).toBe('conflict')
    expect(mergeChange(stored({ name: 'x' }, V2), change({ name: 'y' }, { name: V3 }, V4, 'r1'), aliases).status).toBe('conflict')
  })
})

const pend = (base: string | null, value: unknown, seqs = [1]): PendingField => ({ base, value, seqs })

describe('mergePulledRow (the device merging a pulled row)', () => {
  const local = { values: { notes: 'mine' }, version: V1, versions: {} as Record<string, string> }

  it('without pending changes every pulled field is written; versions follow the pulled row', () => {
    const out = mergePulledRow(
      { values: {}, version: V1, versions: { name: V2 } },
      new Map(),
      { fields: { name: 'n', notes: 'x' }, version: V3, versions: { notes: V4 } },
      ['name', 'notes'],
    )
    expect(out).toEqual({ write: ['name', 'notes'], versions: { version: V3, versions: { notes: V4 } }, conflicts: [] })
  })

  it('a pending field keeps the local value; a different pulled value not based on is a conflict', () => {
    const out = mergePulledRow(local, new Map([['notes', pend(V1, 'mine')]]), { fields: { notes: 'theirs' }, version: V2, versions: {} }, ['notes'])
    expect(out.write).toEqual([])
    expect(out.conflicts).toEqual([{ field: 'notes', mine: 'mine', theirs: 'theirs', theirsHlc: V2 }])
    // The kept field keeps its version (V1), which the row's new common version (V2) would change.
    expect(out.versions).toEqual({ version: V2, versions: { notes: V1 } })
  })

  it.each([
    ['the pulled version is the base', pend(V2, 'mine'), 'theirs', 0],
    ['equal values', pend(V1, 'mine'), 'mine', 0],
    ['different value, other base', pend(V1, 'mine'), 'theirs', 1],
    ['different value, no base', pend(null, 'mine'), 'theirs', 1],
  ])('pending field: %s → %i conflict(s)', (_name, pending, theirs, n) => {
    const out = mergePulledRow(local, new Map([['notes', pending]]), { fields: { notes: theirs }, version: V2, versions: {} }, ['notes'])
    expect(out.conflicts).toHaveLength(n)
    expect(out.write).toEqual([])
  })

  it('fields not pulled keep the version they had', () => {
    const out = mergePulledRow({ values: {}, version: V1, versions: { a: V2 } }, new Map(), { fields: { b: 1 }, version: V3, versions: {} }, ['b'])
    expect(out.versions).toEqual({ version: V3, versions: { a: V2 } })
  })

  it('a held version equal to the new common version is not listed', () => {
    const out = mergePulledRow({ values: {}, version: V1, versions: { a: V3 } }, new Map(), { fields: { b: 1 }, version: V3, versions: {} }, ['b'])
    expect(out.versions).toEqual({ version: V3, versions: {} })
  })

  it('a pending field not pulled keeps its local version too', () => {
    const out = mergePulledRow(
      { values: { a: 1 }, version: V1, versions: {} },
      new Map([['a', pend(V1, 1)]]),
      { fields: { b: 1 }, version: V3, versions: {} },
      ['b'],
    )
    expect(out.versions).toEqual({ version: V3, versions: { a: V1 } })
  })
})

describe('adoptServerField (the device adopting a push result)', () => {
  it.each([
    ['conflict, nothing later', { value: 't', version: V2, outcome: 'conflict' }, undefined, { conflict: true, adopt: true }],
    ['superseded, nothing later', { value: 't', version: V4, outcome: 'superseded' }, undefined, { conflict: false, adopt: true }],
    ['same, nothing later', { value: 't', version: V2, outcome: 'same' }, undefined, { conflict: false, adopt: true }],
    ['conflict, a later edit', { value: 't', version: V2, outcome: 'conflict' }, pend(V3, 'z', [7]), { conflict: true, adopt: false }],
    ['superseded, a later edit', { value: 't', version: V4, outcome: 'superseded' }, pend(V3, 'z', [7]), { conflict: false, adopt: false }],
    [
      'same, a later edit based on the sent version',
      { value: 't', version: V2, outcome: 'same' },
      pend(V3, 'z', [7, 9]),
      { conflict: false, adopt: false, rebase: { seq: 7, version: V2 } },
    ],
    ['same, a later edit based elsewhere', { value: 't', version: V2, outcome: 'same' }, pend(V1, 'z', [7]), { conflict: false, adopt: false }],
    ['same without a server version', { value: 't', version: null, outcome: 'same' }, pend(V3, 'z', [7]), { conflict: false, adopt: false }],
  ] as const)('%s', (_name, server, later, expected) => {
    expect(adoptServerField(server, V3, later)).toEqual(expected)
  })
})

describe('foldPending', () => {
  it('keeps the oldest base and the newest value of each field, with every seq', () => {
    const out = foldPending([
      { seq: 3, fields: { a: 1, b: 'x' }, base: { a: V1, b: null } },
      { seq: 5, fields: { a: 2 }, base: { a: V3 } },
      { seq: 6, fields: { c: true }, base: {} },
    ])
    expect(Object.fromEntries(out)).toEqual({
      a: { base: V1, value: 2, seqs: [3, 5] },
      b: { base: null, value: 'x', seqs: [3] },
      c: { base: null, value: true, seqs: [6] },
    })
  })
})
