// The demo county generator: real NBS divisions of 田东县 with generated geometry and plausible
// generated content. Deterministic for a given seed and reference time; the same generator at
// 20k customers / 200k visits feeds bench/. Every generated geometry says so (geometrySource).
import * as turf from '@turf/turf'
import type { Feature, MultiPolygon, Polygon } from 'geojson'
import { v7 as uuidv7 } from 'uuid'
import { DIVISIONS_SOURCE } from './source'
import type { CustomerCategory, FunnelStage, IntelKind, Rival, SignalQuality, ValueTier } from '../../../shared/domain'

export interface DivisionRow {
  level: 'province' | 'city' | 'county' | 'township' | 'village'
  code: string
  name: string
  parentCode: string | null
}

export interface DemoOptions {
  seed: number
  keyCustomers: number
  visits: number
  /** Reference time: visits and intel fall before it, plans and expiries after. */
  now: Date
}

type Row = Record<string, unknown>

export interface DemoCounty {
  divisions: (DivisionRow & { source: string })[]
  orgUnits: Row[]
  users: Row[]
  villages: Row[]
  keyCustomers: Row[]
  customerProducts: Row[]
  funnelMoves: Row[]
  objections: Row[]
  competitorIntel: Row[]
  visits: Row[]
  visitParticipants: Row[]
  visitObjections: Row[]
  visitProducts: Row[]
  indicators: Row[]
  targets: Row[]
  actuals: Row[]
  workOrders: Row[]
}

export const GENERATED = 'generated'
/** The county's envelope (WGS-84) from the data's README; the seat 平马镇 is near 107.12 E, 23.60 N. */
export const ENVELOPE = { west: 106.89, east: 107.44, south: 23.27, north: 24.01 } as const
const SEAT = { lon: 107.12, lat: 23.6 }
const DAY = 86_400_000

/** sfc32 seeded by splitmix32: small, fast, and the same on every platform. */
export function createRandom(seed: number) {
  let s = seed >>> 0
  const split = () => {
    s = (s + 0x9e3779b9) | 0
    let z = s
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b)
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35)
    return (z ^ (z >>> 16)) >>> 0
  }
  let a = split(),
    b = split(),
    c = split(),
    d = split()
  const next = () => {
    a |= 0
    b |= 0
    c |= 0
    d |= 0
    const t = (((a + b) | 0) + d) | 0
    d = (d + 1) | 0
    a = b ^ (b >>> 9)
    b = (c + (c << 3)) | 0
    c = (c << 21) | (c >>> 11)
    c = (c + t) | 0
    return (t >>> 0) / 4294967296
  }
  const rnd = {
    next,
    int: (min: number, max: number) => min + Math.floor(next() * (max - min + 1)),
    range: (min: number, max: number) => min + next() * (max - min),
    pick: <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)]!,
    chance: (p: number) => next() < p,
    gauss: () => Math.sqrt(-2 * Math.log(1 - next())) * Math.cos(2 * Math.PI * next()),
    weighted: <T>(items: readonly (readonly [T, number])[]): T => {
      const total = items.reduce((sum, [, w]) => sum + w, 0)
      let r = next() * total
      for (const [item, w] of items) if ((r -= w) < 0) return item
      return items[items.length - 1]![0]
    },
    bytes16: () => Uint8Array.from({ length: 16 }, () => Math.floor(next() * 256)),
  }
  return rnd
}
type Random = ReturnType<typeof createRandom>

const SURNAMES = ['韦', '黄', '农', '陆', '梁', '罗', '覃', '李', '潘', '蒙', '卢', '莫', '刘', '何', '陈', '张', '王', '赵', '周', '杨']
const GIVEN = [
  '建',
  '国',
  '志',
  '明',
  '海',
  '秀',
  '丽',
  '文',
  '华',
  '春',
  '玉',
  '芳',
  '强',
  '军',
  '桂',
  '兰',
  '永',
  '庆',
  '德',
  '荣',
  '金',
  '凤',
  '光',
  '平',
  '小',
  '红',
  '伟',
  '敏',
  '静',
  '涛',
]
const ECONOMY = ['芒果种植', '香蕉种植', '甘蔗种植', '水稻种植', '生猪养殖', '秋冬蔬菜', '油茶种植', '外出务工为主', '商贸集散', '桑蚕养殖']
const MARKET_DAYS = ['农历逢一、四、七', '农历逢二、五、八', '农历逢三、六、九', '每周日', '每日早市']
const FESTIVALS = ['春节返乡高峰', '壮族三月三歌圩', '中元节', '芒果节（7月）', '布洛陀祭祀', '中秋返乡', '瑶族盘王节']
const EDUCATION = ['小学为主', '初中为主', '高中及以上较多', '初中为主，留守儿童多']
const SIGNALS: readonly (readonly [SignalQuality, number])[] = [
  ['good', 5],
  ['fair', 3],
  ['poor', 1.5],
  ['none', 0.5],
]
const PURPOSES = ['关系维系', '产品推介', '合约续签', '宽带装机回访', '投诉处理', '竞争应对', '信息收集', '集团业务洽谈']
const OUTCOMES = ['客户认可，约定下次详谈', '已成交', '客户犹豫，需再跟进', '客户明确拒绝', '收集到竞争信息', '问题已解决']
const PRODUCTS = ['5G畅享套餐', '千兆宽带', '家庭融合套餐', '魔百和电视', '5G手机换机', '集团V网', '云视讯', '和家亲安防']
const ROLES: Record<CustomerCategory, readonly string[]> = {
  admin_power: ['村支书', '村主任', '村会计', '镇党委委员', '副镇长'],
  education: ['校长', '教导主任', '班主任', '教师'],
  commerce: ['超市老板', '合作社社长', '农场主', '芒果收购商', '农资店老板', '物流点负责人'],
  group: ['办公室主任', '院长', '总经理', '信息化负责人'],
  high_value: ['个体户', '外出务工返乡人员', '养殖大户', '乡村医生'],
}
const OBJECTIONS = [
  ['price', '价格', 'Price', '算清合约期总价，对比对方隐性收费'],
  ['signal', '信号', 'Signal', '现场测速，登记弱覆盖点并提交建站需求'],
  ['after_sales', '售后', 'After-sales', '留网格经理电话，承诺24小时上门'],
  ['contract', '合约', 'Contract', '查清对方合约到期日，到期前一个月再约'],
  ['family', '家人用别家', 'Family uses a rival', '推荐家庭融合套餐，全家一起算账'],
  ['install', '装机慢', 'Slow installation', '预约装机时段，当周上门'],
  ['habit', '习惯老号码', 'Attached to number', '介绍携号转网流程，号码不变'],
  ['trust', '不信任推销', 'Distrust of sales', '请村干部或已用户现身说法'],
] as const
const INDICATORS = [
  ['new_mobile', '移动新增用户', 'New mobile subscribers', '户', 'higher_better', -5, -15, 60],
  ['broadband_net', '宽带净增', 'Broadband net adds', '户', 'higher_better', -5, -15, 25],
  ['migration_5g', '5G套餐迁转', '5G plan migrations', '户', 'higher_better', -5, -15, 40],
  ['terminal_sales', '终端销量', 'Terminal sales', '台', 'higher_better', -8, -20, 30],
  ['group_revenue', '集团收入', 'Group revenue', '万元', 'higher_better', -5, -15, 12],
  ['churn', '离网用户', 'Churned subscribers', '户', 'lower_better', -5, -15, 20],
  ['complaints', '投诉量', 'Complaints', '件', 'lower_better', -10, -25, 4],
] as const

/** Service marketing centers and the townships they serve; two townships split into two grids. */
const CENTERS = [
  { code: '451022-C1', name: '平马服务营销中心', townships: ['451022100'] },
  { code: '451022-C2', name: '东部服务营销中心', townships: ['451022101', '451022103', '451022105'] },
  { code: '451022-C3', name: '西南服务营销中心', townships: ['451022106', '451022107', '451022110'] },
  { code: '451022-C4', name: '北部服务营销中心', townships: ['451022108', '451022109', '451022201'] },
] as const

export function parseDivisionsCsv(text: string): DivisionRow[] {
  const lines = text
    .replace(/^\uFEFF/, '')
    .split(/\r?\n/)
    .filter((l) => l.trim() !== '')
  const header = lines.shift()
  if (header !== 'level,code,name,parent_code') throw new Error(`unexpected divisions header: ${header}`)
  return lines.map((line) => {
    const [level, code, name, parent] = line.split(',')
    return { level: level as DivisionRow['level'], code: code!, name: name!, parentCode: parent || null }
  })
}

export function generateDemoCounty(divisions: DivisionRow[], options: DemoOptions): DemoCounty {
  const rnd = createRandom(options.seed)
  const nowMs = options.now.getTime()
  const iso = (ms: number) => new Date(ms).toISOString()
  const day = (ms: number) => iso(ms).slice(0, 10)
  // The demo county keeps Beijing time (UTC+8) whatever the machine's zone.
  const BEIJING = 8 * 3_600_000
  const beijingDay = (ms: number) => iso(ms + BEIJING).slice(0, 10)
  /** `days` from today (Beijing), at 08:30 + `minute`, Beijing time; never later than now for a past day. */
  const workingTime = (days: number, minute: number) => {
    const midnight = Date.parse(`${beijingDay(nowMs)}T00:00:00Z`) - BEIJING
    const at = midnight + days * DAY + (8 * 60 + 30 + minute) * 60_000
    return days <= 0 && at > nowMs ? at - DAY : at
  }
  const outcomeFor = (outcome: string, stage: FunnelStage | undefined) =>
    outcome === '已成交' && stage !== 'won' && stage !== 'retained' ? '客户认可，约定下次详谈' : outcome
  let idCounter = 0
  const newId = () => uuidv7({ msecs: nowMs - 400 * DAY + idCounter++, random: rnd.bytes16() })
  const stamp = () => ({ createdAt: iso(nowMs), updatedAt: iso(nowMs), hlc: `${iso(nowMs)}-0000-demo` })
  const personName = () => rnd.pick(SURNAMES) + rnd.pick(GIVEN) + (rnd.chance(0.7) ? rnd.pick(GIVEN) : '')
  const phone = () => `1${rnd.pick(['3', '5', '7', '8', '9'])}${rnd.int(0, 9)}${String(rnd.int(0, 99_999_999)).padStart(8, '0')}`

  const county = divisions.find((d) => d.level === 'county')
  if (!county) throw new Error('divisions hold no county')
  const townships = divisions.filter((d) => d.level === 'township')
  const villageDivisions = divisions.filter((d) => d.level === 'village')

  // --- Geometry: an irregular county outline, township seats, village points, Voronoi cells.
  const outline = countyOutline(rnd)
  const seats = new Map<string, { lon: number; lat: number }>()
  townships.forEach((t, i) => {
    if (i === 0) return void seats.set(t.code, SEAT)
    const angle = (2 * Math.PI * (i - 1)) / (townships.length - 1) + rnd.range(-0.2, 0.2)
    const r = rnd.range(0.5, 0.72)
    seats.set(t.code, { lon: SEAT.lon + Math.cos(angle) * 0.24 * r, lat: SEAT.lat + 0.04 + Math.sin(angle) * 0.33 * r })
  })
  // Townships are the Voronoi regions of their seats; villages fall inside their own township,
  // communities close to the seat. Village cells are Voronoi cells within the township region, so
  // a township (and a grid made of whole townships) is one contiguous piece.
  const seatList = townships.map((t) => seats.get(t.code)!)
  const townshipRegions = voronoiCells(seatList, outline)
  const regionOf = new Map(townships.map((t, i) => [t.code, townshipRegions[i]!]))
  const points = villageDivisions.map((v) => {
    const seat = seats.get(v.parentCode!)!
    const region = regionOf.get(v.parentCode!)!
    const [west, south, east, north] = turf.bbox(region)
    const community = /社区|居委会/.test(v.name)
    for (;;) {
      const p = community
        ? { lon: seat.lon + rnd.gauss() * 0.012, lat: seat.lat + rnd.gauss() * 0.012 }
        : { lon: rnd.range(west, east), lat: rnd.range(south, north) }
      if (turf.booleanPointInPolygon([p.lon, p.lat], region)) return p
    }
  })
  const cells: Feature<Polygon | MultiPolygon>[] = new Array(villageDivisions.length)
  for (const township of townships) {
    const idx = villageDivisions.flatMap((v, i) => (v.parentCode === township.code ? [i] : []))
    const region = regionOf.get(township.code)! as Feature<Polygon>
    const local =
      idx.length === 1
        ? [region]
        : voronoiCells(
            idx.map((i) => points[i]!),
            region,
          )
    idx.forEach((i, k) => (cells[i] = local[k]!))
  }

  // --- Organisation: county → centers → grids; users (managers).
  const orgUnits: Row[] = []
  const users: Row[] = []
  const countyId = newId()
  const countyManagerId = newId()
  users.push({ id: countyManagerId, name: personName(), role: 'county_manager', phone: phone(), orgUnitId: null, ...stamp() })
  orgUnits.push({
    id: countyId,
    code: county.code,
    name: `${county.name}分公司`,
    level: 'county',
    parentId: null,
    divisionCode: county.code,
    managerUserId: countyManagerId,
    boundary: JSON.stringify(outline.geometry),
    geometrySource: GENERATED,
    sourceCrs: 'WGS-84',
    ...stamp(),
  })
  const gridOfVillage = new Map<string, string>()
  const grids: { id: string; name: string; townshipCode: string; villageIdx: number[] }[] = []
  for (const center of CENTERS) {
    const centerId = newId()
    orgUnits.push({ id: centerId, code: center.code, name: center.name, level: 'center', parentId: countyId, ...stamp() })
    for (const townshipCode of center.townships) {
      const township = townships.find((t) => t.code === townshipCode)!
      const idx = villageDivisions.flatMap((v, i) => (v.parentCode === townshipCode ? [i] : []))
      const short = township.name.replace(/(瑶族乡|镇|乡)$/, '')
      let parts: { suffix: string; kind: 'area' | 'group'; idx: number[] }[]
      if (townshipCode === '451022100') {
        parts = [
          { suffix: '城区', kind: 'group', idx: idx.filter((i) => /社区|居委会/.test(villageDivisions[i]!.name)) },
          { suffix: '乡村', kind: 'area', idx: idx.filter((i) => !/社区|居委会/.test(villageDivisions[i]!.name)) },
        ]
      } else if (idx.length >= 30) {
        const seat = seats.get(townshipCode)!
        parts = [
          { suffix: '东片', kind: 'area', idx: idx.filter((i) => points[i]!.lon >= seat.lon) },
          { suffix: '西片', kind: 'area', idx: idx.filter((i) => points[i]!.lon < seat.lon) },
        ]
      } else parts = [{ suffix: '', kind: 'area', idx }]
      for (const part of parts) {
        const id = newId()
        const n = grids.length + 1
        const managerId = newId()
        users.push({ id: managerId, name: personName(), role: 'grid_manager', phone: phone(), orgUnitId: id, ...stamp() })
        const boundary = dissolve(part.idx.map((i) => cells[i]!))
        orgUnits.push({
          id,
          code: `451022-G${String(n).padStart(2, '0')}`,
          name: `${short}${part.suffix}网格`,
          level: 'grid',
          parentId: centerId,
          gridKind: part.kind,
          divisionCode: townshipCode,
          managerUserId: managerId,
          boundary: JSON.stringify(boundary),
          geometrySource: GENERATED,
          sourceCrs: 'WGS-84',
          ...stamp(),
        })
        grids.push({ id, name: `${short}${part.suffix}网格`, townshipCode, villageIdx: part.idx })
        for (const i of part.idx) gridOfVillage.set(villageDivisions[i]!.code, id)
      }
    }
  }
  const managerOfGrid = new Map(users.filter((u) => u.role === 'grid_manager').map((u) => [u.orgUnitId as string, u.id as string]))

  // --- Village profiles.
  const villages: Row[] = villageDivisions.map((v, i) => {
    const community = /社区|居委会/.test(v.name)
    const population = community ? rnd.int(3000, 9000) : rnd.int(1200, 4600)
    const households = Math.round(population / rnd.range(3.2, 4.1))
    const under18 = rnd.range(16, 26)
    const over60 = rnd.range(14, 26)
    const mobile = Math.round(population * rnd.range(0.25, 0.62))
    const telecom = rnd.range(10, 30),
      unicom = rnd.range(5, 20),
      broadnet = rnd.range(0, 6)
    const ours = 100 - telecom - unicom - broadnet
    return {
      id: newId(),
      divisionCode: v.code,
      name: v.name,
      townshipCode: v.parentCode,
      kind: community ? 'community' : 'village',
      gridId: gridOfVillage.get(v.code) ?? null,
      lon: round6(points[i]!.lon),
      lat: round6(points[i]!.lat),
      boundary: JSON.stringify(cells[i]!.geometry),
      geometrySource: GENERATED,
      sourceCrs: 'WGS-84',
      population,
      households,
      ageUnder18Pct: round1(under18),
      age18To60Pct: round1(100 - under18 - over60),
      ageOver60Pct: round1(over60),
      migrantAwayPct: round1(community ? rnd.range(8, 20) : rnd.range(20, 48)),
      mainEconomy: community ? '商贸集散' : rnd.pick(ECONOMY),
      marketDays: rnd.pick(MARKET_DAYS),
      festivals: `${rnd.pick(FESTIVALS)}；${rnd.pick(FESTIVALS)}`,
      educationLevel: rnd.pick(EDUCATION),
      fibreCovered: community || rnd.chance(0.8),
      ourPorts: rnd.int(community ? 400 : 40, community ? 1500 : 400),
      rivalPorts: JSON.stringify({ telecom: rnd.int(20, 600), unicom: rnd.int(0, 200), broadnet: rnd.int(0, 120) }),
      signal4g: community ? 'good' : rnd.weighted(SIGNALS),
      signal5g: community ? rnd.weighted(SIGNALS.slice(0, 2)) : rnd.weighted(SIGNALS),
      ourMobileSubs: mobile,
      ourBroadbandSubs: Math.round(households * rnd.range(0.12, 0.45)),
      penetrationPct: round1((mobile / population) * 100),
      shareVsRivals: JSON.stringify({ ours: round1(ours), telecom: round1(telecom), unicom: round1(unicom), broadnet: round1(broadnet) }),
      keyPersons: JSON.stringify([
        { name: personName(), role: '村支书' },
        { name: personName(), role: '村主任' },
      ]),
      notes: null,
      ...stamp(),
    }
  })
  // Surveys are never finished: some profiles lack the slower facts (age structure, rivals' ports,
  // key persons ...), so completeness varies. Picked by index, not by `rnd`, so every other
  // generated value stays as it was.
  const surveyGaps: readonly (readonly string[])[] = [
    ['keyPersons', 'festivals'],
    ['ageUnder18Pct', 'age18To60Pct', 'ageOver60Pct', 'rivalPorts', 'educationLevel', 'keyPersons'],
    ['ageUnder18Pct', 'age18To60Pct', 'ageOver60Pct', 'rivalPorts', 'migrantAwayPct', 'marketDays', 'festivals', 'educationLevel', 'keyPersons', 'mainEconomy'],
  ]
  villages.forEach((village, i) => {
    const gaps = surveyGaps[(i * 7) % 11]
    if (gaps) for (const field of gaps) village[field] = null
  })
  const villageWeights = villages.map((v, i) => [i, v.population as number] as const)

  // --- Key customers with an 80/20 value tier (top 20% by revenue A, next 30% B, the rest C).
  const categories: readonly (readonly [CustomerCategory, number])[] = [
    ['admin_power', 3],
    ['education', 2],
    ['commerce', 3],
    ['group', 1],
    ['high_value', 3],
  ]
  const stages: readonly (readonly [FunnelStage, number])[] = [
    ['potential', 3],
    ['contacted', 3],
    ['intent', 2],
    ['won', 1.5],
    ['retained', 2.5],
  ]
  const rivalsUsed: readonly (readonly [Rival | null, number])[] = [
    [null, 5],
    ['telecom', 3],
    ['unicom', 1.5],
    ['broadnet', 0.5],
  ]
  const keyCustomers: Row[] = []
  const customerProducts: Row[] = []
  const funnelMoves: Row[] = []
  for (let n = 0; n < options.keyCustomers; n++) {
    const vi = rnd.weighted(villageWeights)
    const village = villages[vi]!
    const category = rnd.weighted(categories)
    const stage = rnd.weighted(stages)
    const id = newId()
    const organisation =
      category === 'group'
        ? `${(village.name as string).replace(/(村委会|社区居委会|居委会)$/, '')}${rnd.pick(['小学', '卫生院', '农业合作社', '物流站', '中学'])}`
        : category === 'admin_power'
          ? (village.name as string)
          : null
    keyCustomers.push({
      id,
      name: personName(),
      category,
      role: rnd.pick(ROLES[category]),
      organisation,
      villageId: village.id,
      gridId: village.gridId,
      phone: phone(),
      influence: rnd.int(category === 'admin_power' ? 3 : 1, 5),
      valueTier: null,
      tierOverride: null,
      monthlyRevenue: round1(Math.exp(4 + rnd.gauss() * 0.9) * (category === 'group' ? 6 : 1)),
      contractExpiry: rnd.chance(0.7) ? day(nowMs + rnd.int(-30, 540) * DAY) : null,
      rivalUsed: rnd.weighted(rivalsUsed),
      funnelStage: stage,
      ownerUserId: managerOfGrid.get(village.gridId as string) ?? null,
      nextFollowUp: rnd.chance(0.6) ? day(nowMs + rnd.int(-20, 45) * DAY) : null,
      tags: JSON.stringify(rnd.chance(0.3) ? [rnd.pick(['意见领袖', '春节返乡', '合约到期', '宽带潜客', '换机潜客'])] : []),
      notes: null,
      lon: round6((village.lon as number) + rnd.gauss() * 0.004),
      lat: round6((village.lat as number) + rnd.gauss() * 0.004),
      geometrySource: GENERATED,
      ...stamp(),
    })
    for (let p = rnd.int(0, 3); p > 0; p--) {
      const kind = rnd.pick(['terminal', 'broadband', 'voice_plan', 'data_plan', 'app'] as const)
      customerProducts.push({
        id: newId(),
        customerId: id,
        productKind: kind,
        productName: rnd.pick(PRODUCTS),
        since: day(nowMs - rnd.int(30, 900) * DAY),
        expiry: null,
        ...stamp(),
      })
    }
    const reached = stages.findIndex(([s]) => s === stage)
    let at = nowMs - rnd.int(60, 400) * DAY
    for (let s = 0; s <= reached; s++) {
      funnelMoves.push({
        id: newId(),
        customerId: id,
        fromStage: s === 0 ? null : stages[s - 1]![0],
        toStage: stages[s]![0],
        movedAt: iso(at),
        byUserId: null,
        ...stamp(),
      })
      at += rnd.int(5, 40) * DAY
    }
  }
  const byRevenue = [...keyCustomers].sort((a, b) => (b.monthlyRevenue as number) - (a.monthlyRevenue as number))
  byRevenue.forEach((c, rank) => {
    const share = (rank + 1) / byRevenue.length
    c.valueTier = (share <= 0.2 ? 'A' : share <= 0.5 ? 'B' : 'C') satisfies ValueTier
  })

  const objections: Row[] = OBJECTIONS.map(([code, nameZh, nameEn, answer]) => ({ id: newId(), code, nameZh, nameEn, suggestedAnswer: answer, ...stamp() }))

  // --- Competitor intel.
  const intelKinds: readonly (readonly [IntelKind, number])[] = [
    ['price', 3],
    ['bundle', 3],
    ['campaign', 2],
    ['retention', 1.5],
    ['outlet', 1],
    ['network', 0.8],
  ]
  const intelRivals: readonly (readonly [Rival, number])[] = [
    ['telecom', 5],
    ['unicom', 2.5],
    ['broadnet', 1.5],
    ['other', 0.3],
  ]
  const rivalName = { telecom: '电信', unicom: '联通', broadnet: '广电', other: '其他' } as const
  const intelCount = Math.max(40, Math.round(options.keyCustomers / 3))
  const competitorIntel: Row[] = []
  const priceFields = (priced: boolean) => {
    const fields = {
      monthlyFee: 0,
      dataGb: rnd.pick([20, 30, 40, 60, 100]),
      voiceMinutes: rnd.pick([100, 200, 500, 1000]),
      broadbandMbps: rnd.pick([300, 500, 1000]),
      contractMonths: rnd.pick([12, 24, 36]),
      deviceSubsidy: rnd.chance(0.3) ? rnd.pick([200, 500, 800]) : 0,
    }
    return priced ? fields : { monthlyFee: null, dataGb: null, voiceMinutes: null, broadbandMbps: null, contractMonths: null, deviceSubsidy: null }
  }
  for (let n = 0; n < intelCount; n++) {
    const village = villages[rnd.weighted(villageWeights)]!
    const rival = rnd.weighted(intelRivals)
    const kind = rnd.weighted(intelKinds)
    const seen = nowMs - rnd.int(0, 150) * DAY
    const fee = rnd.pick([39, 59, 79, 99, 129, 169])
    // A new outlet or a new mast has no tariff: no price fields, no fee in the title.
    const priced = kind !== 'outlet' && kind !== 'network'
    competitorIntel.push({
      id: newId(),
      rival,
      kind,
      title: priced
        ? `${rivalName[rival]}${fee}元${kind === 'bundle' ? '融合套餐' : kind === 'campaign' ? '返乡季活动' : kind === 'retention' ? '老用户续约优惠' : '资费调整'}`
        : `${rivalName[rival]}${kind === 'outlet' ? '新开代理点' : '新建基站'}`,
      description: '演示数据（生成）',
      villageId: village.id,
      gridId: village.gridId,
      lon: round6((village.lon as number) + rnd.gauss() * 0.003),
      lat: round6((village.lat as number) + rnd.gauss() * 0.003),
      seenAt: iso(seen),
      validFrom: day(seen),
      validTo: day(seen + rnd.int(30, 120) * DAY),
      source: rnd.pick(['客户告知', '现场所见', '渠道反馈', '宣传单']),
      reliability: rnd.int(2, 5),
      ...priceFields(priced),
      ...(priced ? { monthlyFee: fee } : {}),
      threatLevel: rnd.int(1, 5),
      suggestedResponse: rnd.pick(['推荐家庭融合套餐对标', '合约到期客户提前续约', '加强该村网格驻点', '申请针对性资费']),
      fromVisitId: null,
      createdBy: managerOfGrid.get(village.gridId as string) ?? null,
      ...stamp(),
    })
  }

  // --- Visits over the last 180 days, a few planned ahead; objections, products, co-visitors.
  const visits: Row[] = []
  const visitParticipants: Row[] = []
  const visitObjections: Row[] = []
  const visitProducts: Row[] = []
  for (let n = 0; n < options.visits; n++) {
    const toCustomer = keyCustomers.length > 0 && rnd.chance(0.8)
    const customer = toCustomer ? keyCustomers[rnd.int(0, keyCustomers.length - 1)]! : null
    const village = customer ? villages.find((v) => v.id === customer.villageId)! : villages[rnd.weighted(villageWeights)]!
    // A few planned ahead; of the past ones, about a third were planned for their day (most done,
    // some missed). Visits happen in working hours, Beijing time (08:30–17:30).
    const ahead = rnd.chance(0.04)
    const plannedPast = !ahead && rnd.chance(0.35)
    const missed = plannedPast && rnd.chance(0.12)
    const at = workingTime(ahead ? rnd.int(1, 14) : -rnd.int(0, 180), rnd.int(0, 9 * 60 - 1))
    const planned = ahead || missed
    const id = newId()
    const lon = (customer?.lon ?? village.lon) as number
    const lat = (customer?.lat ?? village.lat) as number
    visits.push({
      id,
      status: planned ? 'planned' : 'done',
      targetKind: customer ? (customer.category === 'group' ? 'group' : 'customer') : 'village',
      villageId: village.id,
      customerId: customer?.id ?? null,
      gridId: village.gridId,
      plannedFor: ahead || plannedPast ? beijingDay(at) : null,
      checkedInAt: planned ? null : iso(at),
      checkInLon: planned ? null : round6(lon + rnd.gauss() * 0.0008),
      checkInLat: planned ? null : round6(lat + rnd.gauss() * 0.0008),
      checkInSource: planned ? null : 'device',
      // 已成交 only for a customer who has reached 成交 (or 维系).
      purpose: rnd.pick(PURPOSES),
      outcome: planned ? null : outcomeFor(rnd.pick(OUTCOMES), customer?.funnelStage as FunnelStage | undefined),
      nextAction: rnd.chance(0.3) ? rnd.pick(['送宽带资费单', '约定装机时间', '续签合约', '邀请参加村口促销']) : null,
      nextActionDue: null,
      byUserId: managerOfGrid.get(village.gridId as string) ?? null,
      ...stamp(),
    })
    if (planned) continue
    if (rnd.chance(0.2))
      visitParticipants.push({
        id: newId(),
        visitId: id,
        userId: null,
        name: personName(),
        role: rnd.pick(['customer_manager', 'community_manager'] as const),
        ...stamp(),
      })
    if (rnd.chance(0.35)) {
      const [code, , , answer] = rnd.pick(OBJECTIONS)
      visitObjections.push({ id: newId(), visitId: id, objectionCode: code, detail: null, answer, answerWorked: rnd.chance(0.55), ...stamp() })
    }
    if (rnd.chance(0.5))
      visitProducts.push({ id: newId(), visitId: id, product: rnd.pick(PRODUCTS), outcome: rnd.chance(0.3) ? 'sold' : 'pitched', quantity: 1, ...stamp() })
  }

  // --- Indicators, monthly targets and actuals for the last 12 months and this one, per grid.
  const indicators: Row[] = INDICATORS.map(([code, nameZh, nameEn, unit, direction, yellow, red]) => ({
    id: newId(),
    code,
    nameZh,
    nameEn,
    unit,
    direction,
    yellowBelowPp: yellow,
    redBelowPp: red,
    ...stamp(),
  }))
  const targets: Row[] = []
  const actuals: Row[] = []
  const months = Array.from({ length: 13 }, (_, k) => {
    const d = new Date(Date.UTC(options.now.getUTCFullYear(), options.now.getUTCMonth() - 12 + k, 1))
    return `${d.getUTCFullYear()}-${String(d.getUTCMonth() + 1).padStart(2, '0')}`
  })
  for (const grid of grids) {
    const size = grid.villageIdx.reduce((sum, i) => sum + (villages[i]!.households as number), 0) / 4000
    const pace = rnd.range(0.7, 1.15)
    for (const [code, , , , direction, , , base] of INDICATORS) {
      for (const [k, period] of months.entries()) {
        const target = Math.max(1, Math.round(base * size * rnd.range(0.9, 1.1)))
        targets.push({ id: newId(), indicatorCode: code, orgUnitId: grid.id, period, value: target, splitMethod: 'households', ...stamp() })
        const isCurrent = k === months.length - 1
        const elapsed = isCurrent ? options.now.getUTCDate() / 30 : 1
        const ratio = direction === 'higher_better' ? pace * rnd.range(0.8, 1.15) : (2 - pace) * rnd.range(0.8, 1.2)
        actuals.push({
          id: newId(),
          indicatorCode: code,
          orgUnitId: grid.id,
          period,
          value: Math.round(target * ratio * elapsed),
          asOf: iso(isCurrent ? nowMs : Date.parse(`${period}-28T00:00:00Z`)),
          source: 'demo',
          ...stamp(),
        })
      }
    }
  }

  // --- Work orders: some open, some overdue, some done.
  const workOrders: Row[] = []
  for (let n = 0; n < Math.max(12, Math.round(options.keyCustomers / 12)); n++) {
    const customer = keyCustomers.length > 0 ? keyCustomers[rnd.int(0, keyCustomers.length - 1)]! : null
    const grid = customer ? (customer.gridId as string) : rnd.pick(grids).id
    // Created first, due an SLA later (1–10 days), never due on or before its creation.
    const slaDays = rnd.int(1, 10)
    const due = workingTime(rnd.int(-10, 20), rnd.int(0, 9 * 60 - 1))
    const created = Math.min(due - slaDays * DAY, nowMs - rnd.int(0, 3) * DAY)
    const status = due < nowMs && rnd.chance(0.6) ? 'done' : rnd.pick(['open', 'in_progress'] as const)
    const closed = status === 'done' ? Math.min(nowMs, Math.max(created + 3_600_000, due - rnd.int(0, slaDays - 1) * DAY)) : null
    workOrders.push({
      id: newId(),
      title: rnd.pick(['宽带装机', '合约续签上门', '弱覆盖测速', '集团专线报价', '投诉回访']),
      description: '演示数据（生成）',
      orgUnitId: grid,
      customerId: customer?.id ?? null,
      visitId: null,
      origin: rnd.pick(['manual', 'visit', 'alert'] as const),
      assigneeUserId: managerOfGrid.get(grid) ?? null,
      dueAt: iso(due),
      slaHours: Math.round((due - created) / 3_600_000),
      status,
      closedAt: closed === null ? null : iso(closed),
      ...stamp(),
      createdAt: iso(created),
      updatedAt: iso(closed ?? created),
    })
  }

  return {
    divisions: divisions.map((d) => ({ ...d, source: DIVISIONS_SOURCE })),
    orgUnits,
    users,
    villages,
    keyCustomers,
    customerProducts,
    funnelMoves,
    objections,
    competitorIntel,
    visits,
    visitParticipants,
    visitObjections,
    visitProducts,
    indicators,
    targets,
    actuals,
    workOrders,
  }
}

function round6(x: number) {
  return Math.round(x * 1e6) / 1e6
}
function round1(x: number) {
  return Math.round(x * 10) / 10
}

/** A smooth irregular outline inside the county envelope. */
function countyOutline(rnd: Random): Feature<Polygon> {
  const cx = (ENVELOPE.west + ENVELOPE.east) / 2
  const cy = (ENVELOPE.south + ENVELOPE.north) / 2
  const rx = (ENVELOPE.east - ENVELOPE.west) / 2
  const ry = (ENVELOPE.north - ENVELOPE.south) / 2
  const phases = [rnd.range(0, 6.3), rnd.range(0, 6.3), rnd.range(0, 6.3)]
  const ring: [number, number][] = []
  for (let k = 0; k < 72; k++) {
    const a = (2 * Math.PI * k) / 72
    const wobble = 0.86 + 0.06 * Math.sin(2 * a + phases[0]!) + 0.04 * Math.sin(3 * a + phases[1]!) + 0.03 * Math.sin(5 * a + phases[2]!)
    ring.push([round6(cx + Math.cos(a) * rx * wobble), round6(cy + Math.sin(a) * ry * wobble)])
  }
  ring.push(ring[0]!)
  return turf.polygon([ring])
}

/** Voronoi cells of the village points clipped to the outline: they tile the county exactly. */
function voronoiCells(points: { lon: number; lat: number }[], outline: Feature<Polygon | MultiPolygon>): Feature<Polygon | MultiPolygon>[] {
  const collection = turf.featureCollection(points.map((p) => turf.point([p.lon, p.lat])))
  const voronoi = turf.voronoi(collection, { bbox: [ENVELOPE.west - 0.1, ENVELOPE.south - 0.1, ENVELOPE.east + 0.1, ENVELOPE.north + 0.1] })
  return voronoi.features.map((cell, i) => {
    const clipped = cell ? turf.intersect(turf.featureCollection([cell, outline])) : null
    if (!clipped) throw new Error(`village ${i} has no Voronoi cell inside the outline`)
    return turf.truncate(clipped, { precision: 6 })
  })
}

function dissolve(cells: Feature<Polygon | MultiPolygon>[]): Polygon | MultiPolygon {
  if (cells.length === 1) return cells[0]!.geometry
  const union = turf.union(turf.featureCollection(cells))
  if (!union) throw new Error('empty grid')
  return turf.truncate(union, { precision: 6 }).geometry
}
