// The sync handlers the app's sync page uses, against a real HQ server over HTTP on 127.0.0.1:
// enrolment errors a grid manager can act on, status while a sync runs, one sync at a time,
// reachability probes, the last run kept, and conflict resolution with validation.
import { createServer, type Server } from 'node:http'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { AppError } from '../../../shared/errors'
import { eq } from 'drizzle-orm'
import { devices } from '../../../server/db/schema'
import { startTestHq, type TestHq } from '../../../server/testing'
import { openTestCore } from '../testing'

type Device = ReturnType<typeof openTestCore>

async function failure(promise: Promise<unknown>): Promise<AppError> {
  try {
    await promise
  } catch (error) {
    if (error instanceof AppError) return error
    throw error
  }
  throw new Error('expected the call to fail')
}

const listen = (server: Server) =>
  new Promise<string>((resolve) => server.listen(0, '127.0.0.1', () => resolve(`http://127.0.0.1:${(server.address() as { port: number }).port}`)))

describe('sync handlers against a real HQ server', () => {
  let hq: TestHq
  let a: Device
  let b: Device
  let notHq: Server
  let notHqUrl: string
  let deadUrl: string
  let villageId: string
  let restarted: { close(): Promise<unknown> } | undefined

  beforeAll(async () => {
    hq = await startTestHq()
    a = openTestCore()
    b = openTestCore()
    notHq = createServer((_req, res) => res.writeHead(404, { 'content-type': 'text/html' }).end('<h1>Not found</h1>'))
    notHqUrl = await listen(notHq)
    // A port that was just free: nothing answers there.
    const closed = createServer()
    deadUrl = await listen(closed)
    await new Promise((resolve) => closed.close(resolve))
  })
  afterAll(async () => {
    a?.dispose()
    b?.dispose()
    notHq?.close()
    await restarted?.close()
    await hq?.close()
  })

  it('before enrolment: not enrolled, nothing known about the server, a probe says so without failing', async () => {
    const status = await a.call('sync.status', {})
    expect(status).toMatchObject({ enrolled: false, server: null, running: null, reachable: null, lastError: null, lastErrorCode: null, pendingChanges: 0 })
    expect(await a.call('sync.probe', {})).toMatchObject({ enrolled: false, reachable: false })
    expect(await a.call('sync.lastRun', {})).toBeNull()
    const notEnrolled = await failure(a.call('sync.run', {}))
    expect(notEnrolled.code).toBe('FORBIDDEN')
    expect(notEnrolled.details?.server).toBe('NOT_ENROLLED')
  })

  it('enrolment refusals name their reason and store nothing', async () => {
    await hq.userWithCode('lisi', 'grid_manager', ['451022-G03'])
    const badCode = await failure(a.call('sync.enrol', { server: hq.url, code: 'WRONG-CODE-1' }))
    expect(badCode.details?.server).toBe('ENROL_CODE_INVALID')
    const unreachable = await failure(a.call('sync.enrol', { server: deadUrl, code: await hq.code('lisi') }))
    expect(unreachable.code).toBe('SYNC_FAILED')
    expect(unreachable.details?.server).toBe('NETWORK')
    const wrongServer = await failure(a.call('sync.enrol', { server: notHqUrl, code: await hq.code('lisi') }))
    expect(wrongServer.details?.server).toBe('NOT_HQ')
    const notUrl = await failure(a.call('sync.enrol', { server: 'hq.example', code: await hq.code('lisi') }))
    expect(notUrl.code).toBe('VALIDATION')
    expect(notUrl.issues?.[0]?.path).toEqual(['server'])
    expect(await a.call('sync.status', {})).toMatchObject({ enrolled: false, server: null, user: null })
  })

  it('enrols, then a probe finds the server reachable', async () => {
    const status = await a.call('sync.enrol', { server: hq.url, code: await hq.code('lisi'), deviceName: 'laptop A' })
    expect(status).toMatchObject({ enrolled: true, server: hq.url, user: { name: 'lisi' }, regions: ['451022-G03'], reachable: true })
    const probe = await a.call('sync.probe', {})
    expect(probe).toMatchObject({ enrolled: true, reachable: true, reason: null })
    expect(probe.latencyMs).toBeGreaterThanOrEqual(0)
    await b.call('sync.enrol', { server: hq.url, code: await hq.userWithCode('wangwu', 'grid_manager', ['451022-G03']) })
  })

  it('a second sync.run while one is running joins it; status shows the running counters', async () => {
    const first = a.call('sync.run', {})
    const second = a.call('sync.run', {})
    const during = await a.call('sync.status', {})
    expect(during.running).toMatchObject({ pendingAtStart: 0 })
    expect(during.running?.startedAt).toBeTruthy()
    const [r1, r2] = await Promise.all([first, second])
    expect(r1).toBe(r2)
    expect(r1.pulledRows).toBeGreaterThan(5)
    expect(r1.bytesReceived).toBeGreaterThan(0)
    const after = await a.call('sync.status', {})
    expect(after.running).toBeNull()
    expect(after.lastSyncAt).toBeTruthy()
    const last = await a.call('sync.lastRun', {})
    expect(last).toMatchObject({ pulledRows: r1.pulledRows, changesOmitted: 0 })
    expect(last?.finishedAt).toBeTruthy()
    await b.call('sync.run', {})
  })

  it('the last run keeps the per-change results', async () => {
    villageId = (
      a.ctx.db.$client.prepare("SELECT id FROM villages WHERE grid_id = (SELECT id FROM org_units WHERE code = '451022-G03') ORDER BY id LIMIT 1").get() as {
        id: string
      }
    ).id
    await a.call('villages.update', { id: villageId, patch: { households: 301 } })
    expect((await a.call('sync.status', {})).pendingChanges).toBe(1)
    const run = await a.call('sync.run', {})
    expect(run.results).toEqual({ applied: 1, superseded: 0, conflict: 0, rejected: 0 })
    const last = await a.call('sync.lastRun', {})
    expect(last?.changes).toEqual([expect.objectContaining({ table: 'villages', rowId: villageId, status: 'applied' })])
    await b.call('sync.run', {})
  })

  it('a conflict names its record and field; an edited value is checked like the edit form, then becomes a change', async () => {
    await a.call('villages.update', { id: villageId, patch: { households: 310 } })
    await b.call('villages.update', { id: villageId, patch: { households: 320 } })
    await a.call('sync.run', {})
    expect((await b.call('sync.run', {})).results.conflict).toBe(1)
    const [conflict] = await b.call('sync.conflicts', {})
    const village = await b.call('villages.get', { id: villageId })
    expect(conflict).toMatchObject({
      tableName: 'villages',
      rowId: villageId,
      field: 'households',
      fieldProp: 'households',
      mine: 320,
      theirs: 310,
      rowLabel: village.name,
    })

    const outboxBefore = (b.ctx.db.$client.prepare('SELECT count(*) AS n FROM outbox').get() as { n: number }).n
    const bad = await failure(b.call('sync.resolve', { id: conflict!.id, choice: 'edit', value: -5 }))
    expect(bad.code).toBe('VALIDATION')
    expect(bad.issues?.[0]?.path).toEqual(['value'])
    // Both languages, for the UI to pick (a handler does not know the caller's language).
    expect((bad.details?.messages as Record<string, string>)['zh-CN']).toMatch(/[\u4e00-\u9fff]/)
    expect((bad.details?.messages as Record<string, string>).en).toMatch(/>=0/)
    const notNumber = await failure(b.call('sync.resolve', { id: conflict!.id, choice: 'edit', value: 'many' }))
    expect(notNumber.code).toBe('VALIDATION')
    expect((b.ctx.db.$client.prepare('SELECT count(*) AS n FROM outbox').get() as { n: number }).n).toBe(outboxBefore)
    expect((await b.call('sync.conflicts', {})).length).toBe(1)
    expect((await b.call('villages.get', { id: villageId })).households).toBe(310)

    const resolved = await b.call('sync.resolve', { id: conflict!.id, choice: 'edit', value: 315 })
    expect(resolved).toMatchObject({ resolution: 'edited', rowLabel: village.name })
    expect((await b.call('sync.status', {})).pendingChanges).toBe(1)
    await b.call('sync.run', {})
    await a.call('sync.run', {})
    expect((await a.call('villages.get', { id: villageId })).households).toBe(315)
  })

  it('when the server goes away: the error is NETWORK, status says unreachable, a probe agrees, pending changes stay', async () => {
    await a.call('villages.update', { id: villageId, patch: { notes: '待同步的备注' } })
    const port = Number(new URL(hq.url).port)
    await hq.app.close()
    const offline = await failure(a.call('sync.run', {}))
    expect(offline.details?.server).toBe('NETWORK')
    const status = await a.call('sync.status', {})
    expect(status).toMatchObject({ reachable: false, lastErrorCode: 'NETWORK', pendingChanges: 1, running: null })
    expect(await a.call('sync.probe', {})).toMatchObject({ enrolled: true, reachable: false, reason: 'NETWORK' })

    // Back on the same address: the probe turns reachable and the pending change goes out.
    const { buildServer } = await import('../../../server/app')
    const again = await buildServer({ db: hq.store.db })
    restarted = again
    await again.listen({ port, host: '127.0.0.1' })
    expect(await a.call('sync.probe', {})).toMatchObject({ reachable: true })
    expect((await a.call('sync.run', {})).results.applied).toBe(1)
    expect(await a.call('sync.status', {})).toMatchObject({ pendingChanges: 0, lastError: null, lastErrorCode: null, reachable: true })
  })

  // (A revoked device locks its store: server/security.test.ts.)
  it('a device HQ no longer knows (its token is gone, e.g. HQ restored without it) is told to enrol again (UNAUTHORIZED), in status too', async () => {
    await hq.store.db
      .update(devices)
      .set({ tokenHash: 'forgotten' })
      .where(eq(devices.id, (await b.call('sync.status', {})).deviceId))
    const refused = await failure(b.call('sync.run', {}))
    expect(refused.code).toBe('FORBIDDEN')
    expect(refused.details?.server).toBe('UNAUTHORIZED')
    expect((await b.call('sync.status', {})).lastErrorCode).toBe('UNAUTHORIZED')
  })
})
