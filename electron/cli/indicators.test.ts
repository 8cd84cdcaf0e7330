import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { runCli } from './main'

describe('the command line: imports of actuals and key customers, and the dashboard', () => {
  let dataDir: string
  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'griddesk-cli-kpi-'))
    expect((await cli('demo', 'load', '--customers', '20', '--visits', '20')).code).toBe(0)
  })
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }))
  const cli = (...args: string[]) => runCli([...args, '--data-dir', dataDir])
  const actualsCount = async () =>
    JSON.parse((await cli('call', 'actuals.history', '{"indicatorCode":"new_mobile","orgUnitCode":"451022-G01","period":"2031-05"}')).stdout).length

  it('rejects a bad file with exit 1, every row error printed, nothing changed', async () => {
    const file = join(dataDir, 'bad.csv')
    writeFileSync(
      file,
      'org_unit_code,indicator_code,period,value\n451022-G01,new_mobile,2031-05,5\n451022-X,new_mobile,2031-05,5\n451022-G02,new_mobile,2031-05,lots\n',
    )
    const checked = await cli('import', 'actuals', file, '--dry-run', '--lang', 'en')
    expect(checked.code).toBe(1)
    const result = await cli('import', 'actuals', file, '--lang', 'en')
    expect(result.code).toBe(1)
    for (const out of [checked, result]) {
      expect(out.stderr).toContain('bad.csv row 2 [Org unit code]: Unknown org unit code "451022-X"')
      expect(out.stderr).toContain('bad.csv row 3 [Value]: "lots" is not a number')
    }
    expect((await cli('import', 'actuals', file)).stderr).toContain('bad.csv 第3行 [完成值]: 「lots」不是数字')
    expect(await actualsCount()).toBe(0)
  })

  it('imports a good file and shows it on the dashboard', async () => {
    const file = join(dataDir, 'good.csv')
    writeFileSync(file, 'org_unit_code,indicator_code,period,value\n451022-G01,new_mobile,2031-05,5\n')
    const result = await cli('import', 'actuals', file)
    expect(result.code).toBe(0)
    expect(JSON.parse(result.stdout)).toMatchObject({ file: 'good.csv', inserted: 1 })
    expect(await actualsCount()).toBe(1)
    const dash = await cli('dashboard', '--region', '451022', '--period', '2031-05', '--as-of', '2031-05-31')
    expect(dash.code).toBe(0)
    const d = JSON.parse(dash.stdout)
    expect(d.rows.find((r: { code: string }) => r.code === '451022-G01').cells.new_mobile.actual).toBe(5)
    expect(d.timeProgress).toBe(1)
  })

  it('imports key customers as an import job: a bad file exits 1 with each problem by row and field, in words; a good one is stored', async () => {
    const bad = join(dataDir, '客户.csv')
    writeFileSync(bad, '姓名,类别,手机号\n韦七,商业,13600000107\n韦八,零售,1360000\n')
    const refused = await cli('import', 'customers', bad, '--lang', 'en')
    expect(refused.code).toBe(1)
    expect(refused.stderr).toContain('客户.csv')
    expect(refused.stderr).toMatch(/row 2.*category/i)
    expect(refused.stderr).toContain('1360000')
    const good = join(dataDir, '好客户.csv')
    writeFileSync(good, '姓名,类别,手机号\n韦七,商业,13600000107\n')
    const stored = await cli('import', 'customers', good)
    expect(stored.code).toBe(0)
    expect(JSON.parse(stored.stdout)).toMatchObject({ file: '好客户.csv', inserted: 1 })
  })
})
