// Contract of the one search: key customers, villages, grids and the other org units (county,
// service marketing center, micro-grid) by name, full pinyin, pinyin initials, phone or code,
// best matches first. The map search, the lists and the pickers all ask it.
import { z } from 'zod'
import { out } from './define'

export const searchKinds = ['customer', 'village', 'grid', 'org'] as const
export type SearchKind = (typeof searchKinds)[number]

export interface SearchHit {
  kind: SearchKind
  /** Org units: their level (county, center, microgrid); others: the kind. */
  level: 'customer' | 'village' | 'county' | 'center' | 'grid' | 'microgrid'
  id: string
  name: string
  /** Division code, org unit code, or a customer's phone. */
  code: string | null
  /** What tells two hits of one name apart: the village of a customer, the township of a village, the parent of an org unit. */
  context: string | null
  /** The grid the hit lies in (a grid: itself). */
  gridId: string | null
  /** 0 exact (name, pinyin, initials, phone, code), 1 prefix, 2 elsewhere in the name or keys. */
  rank: number
}

export const searchApi = {
  'search.all': {
    input: z
      .object({
        query: z.string().trim().min(1).max(50),
        kinds: z.array(z.enum(searchKinds)).min(1).max(searchKinds.length).optional(),
        /** Only hits inside this grid (customers and villages of it, the grid itself). */
        gridId: z.uuid().optional(),
        limit: z.number().int().min(1).max(200).default(20),
      })
      .strict(),
    output: out<SearchHit[]>(),
  },
}
