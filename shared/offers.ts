// Our own offers (the demo county's product names), the other side of intel.compare. A small
// configuration rather than a table: HQ sets the tariff catalogue, the laptop only reads it.
export interface OurOffer {
  code: string
  nameZh: string
  nameEn: string
  /** What it competes with: a mobile plan, broadband, or both (融合). */
  kind: 'mobile' | 'broadband' | 'bundle'
  monthlyFee: number
  dataGb: number | null
  voiceMinutes: number | null
  broadbandMbps: number | null
  contractMonths: number | null
  deviceSubsidy: number | null
}

export const ourOffers: readonly OurOffer[] = [
  {
    code: '5g-59',
    nameZh: '5G畅享套餐 59元',
    nameEn: '5G Enjoy 59',
    kind: 'mobile',
    monthlyFee: 59,
    dataGb: 30,
    voiceMinutes: 200,
    broadbandMbps: null,
    contractMonths: 12,
    deviceSubsidy: 0,
  },
  {
    code: '5g-99',
    nameZh: '5G畅享套餐 99元',
    nameEn: '5G Enjoy 99',
    kind: 'mobile',
    monthlyFee: 99,
    dataGb: 60,
    voiceMinutes: 500,
    broadbandMbps: null,
    contractMonths: 12,
    deviceSubsidy: 0,
  },
  {
    code: 'fibre-1000',
    nameZh: '千兆宽带',
    nameEn: 'Gigabit broadband',
    kind: 'broadband',
    monthlyFee: 69,
    dataGb: null,
    voiceMinutes: null,
    broadbandMbps: 1000,
    contractMonths: 24,
    deviceSubsidy: 0,
  },
  {
    code: 'family-129',
    nameZh: '家庭融合套餐 129元',
    nameEn: 'Family bundle 129',
    kind: 'bundle',
    monthlyFee: 129,
    dataGb: 60,
    voiceMinutes: 1000,
    broadbandMbps: 500,
    contractMonths: 24,
    deviceSubsidy: 0,
  },
  {
    code: 'family-169',
    nameZh: '家庭融合套餐 169元（含魔百和电视）',
    nameEn: 'Family bundle 169 (with TV)',
    kind: 'bundle',
    monthlyFee: 169,
    dataGb: 100,
    voiceMinutes: 1000,
    broadbandMbps: 1000,
    contractMonths: 24,
    deviceSubsidy: 0,
  },
  {
    code: '5g-phone',
    nameZh: '5G手机换机（合约）',
    nameEn: '5G phone upgrade (contract)',
    kind: 'mobile',
    monthlyFee: 129,
    dataGb: 60,
    voiceMinutes: 500,
    broadbandMbps: null,
    contractMonths: 24,
    deviceSubsidy: 800,
  },
]

export interface OfferFigures {
  monthlyFee: number | null
  dataGb: number | null
  broadbandMbps: number | null
  contractMonths: number | null
  deviceSubsidy: number | null
}

/** The figures compared: fee per GB, fee per Mbps, contract length and subsidy. */
export interface OfferMetrics {
  feePerGb: number | null
  feePerMbps: number | null
  contractMonths: number | null
  deviceSubsidy: number | null
  /** Fee over the contract less the subsidy: what the customer really pays. */
  totalCost: number | null
}

const round = (x: number, digits = 2) => Math.round(x * 10 ** digits) / 10 ** digits

export function offerMetrics(o: OfferFigures): OfferMetrics {
  const fee = o.monthlyFee
  return {
    feePerGb: fee !== null && o.dataGb ? round(fee / o.dataGb) : null,
    feePerMbps: fee !== null && o.broadbandMbps ? round(fee / o.broadbandMbps, 3) : null,
    contractMonths: o.contractMonths,
    deviceSubsidy: o.deviceSubsidy,
    totalCost: fee !== null && o.contractMonths ? round(fee * o.contractMonths - (o.deviceSubsidy ?? 0)) : null,
  }
}

/** Who is better on one figure: lower fee per unit, shorter contract, higher subsidy, lower total. */
export function betterSide(metric: keyof OfferMetrics, rival: number | null, ours: number | null): 'rival' | 'ours' | 'even' | null {
  if (rival === null || ours === null) return null
  if (rival === ours) return 'even'
  const higherBetter = metric === 'deviceSubsidy'
  return (higherBetter ? rival > ours : rival < ours) ? 'rival' : 'ours'
}

/** Our offer closest to a rival's: same kind where possible, then nearest monthly fee. */
export function closestOffer(o: OfferFigures): OurOffer {
  const kind: OurOffer['kind'] = o.broadbandMbps && o.dataGb ? 'bundle' : o.broadbandMbps ? 'broadband' : 'mobile'
  const sameKind = ourOffers.filter((offer) => offer.kind === kind)
  const pool = sameKind.length > 0 ? sameKind : [...ourOffers]
  return pool.reduce((best, offer) => (Math.abs(offer.monthlyFee - (o.monthlyFee ?? 0)) < Math.abs(best.monthlyFee - (o.monthlyFee ?? 0)) ? offer : best))
}
