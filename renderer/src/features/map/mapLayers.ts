// The map page's layer choices (kept in localStorage: they come back with the view) and the
// choropleth colouring derived from them: classes, legend rows, fills by grid code and village id.
import { useCallback, useState } from 'react'
import { MAP_SETTINGS_KEY } from '../../map/BasemapLayer'
import { classify, colourOf, NO_DATA_COLOUR, rampColours, type Classes, type ClassMethod } from '../../../../shared/classify'
import { mapMetrics, worseWhenHigher, type MapChoropleth, type MapMetric, type MapUnit } from '../../../../shared/api/map'

export const SETTINGS_KEY = MAP_SETTINGS_KEY
export const VIEW_KEY = 'griddesk.map.view'
export const CLASS_COUNT = 5

export interface MapSettings {
  layer: 'grids' | 'villages'
  metric: MapMetric
  method: ClassMethod
  customers: boolean
  /** Township outlines (when any were imported). */
  townships: boolean
  basemapId: string | null
}

const defaults: MapSettings = { layer: 'grids', metric: 'penetration', method: 'quantile', customers: false, townships: true, basemapId: null }

function readSettings(): MapSettings {
  try {
    const saved = JSON.parse(localStorage.getItem(SETTINGS_KEY) ?? '{}') as Partial<MapSettings>
    return {
      layer: saved.layer === 'villages' ? 'villages' : 'grids',
      metric: mapMetrics.includes(saved.metric as MapMetric) ? (saved.metric as MapMetric) : defaults.metric,
      method: saved.method === 'natural' ? 'natural' : 'quantile',
      customers: typeof saved.customers === 'boolean' ? saved.customers : defaults.customers,
      townships: typeof saved.townships === 'boolean' ? saved.townships : defaults.townships,
      basemapId: typeof saved.basemapId === 'string' ? saved.basemapId : null,
    }
  } catch {
    return defaults
  }
}

export function useMapSettings(): [MapSettings, (patch: Partial<MapSettings>) => void] {
  const [settings, setSettings] = useState(readSettings)
  const update = useCallback((patch: Partial<MapSettings>) => {
    setSettings((current) => {
      const next = { ...current, ...patch }
      localStorage.setItem(SETTINGS_KEY, JSON.stringify(next))
      return next
    })
  }, [])
  return [settings, update]
}

export interface LegendRow {
  colour: string
  from: number | null
  to: number | null
  count: number
}

export interface Colouring {
  classes: Classes
  legend: LegendRow[]
  /** Units without a value, shown in grey. */
  noData: number
  gridFills: Record<string, string>
  villageFills: Record<string, string>
}

export function colourUnits(data: MapChoropleth, settings: Pick<MapSettings, 'layer' | 'metric' | 'method'>): Colouring {
  const units: MapUnit[] = settings.layer === 'grids' ? data.grids : data.villages
  const values = units.map((u) => u.metrics[settings.metric])
  const classes = classify(values, CLASS_COUNT, settings.method)
  const colours = rampColours(worseWhenHigher.includes(settings.metric) ? 'bad' : 'good', classes.counts.length)
  const legend: LegendRow[] = classes.counts.map((count, i) => ({
    colour: colours[i]!,
    from: i === 0 ? classes.range![0] : classes.breaks[i - 1]!,
    to: i === classes.counts.length - 1 ? classes.range![1] : classes.breaks[i]!,
    count,
  }))
  const fills: Record<string, string> = {}
  for (const unit of units) fills[settings.layer === 'grids' ? unit.code : unit.id] = colourOf(classes, colours, unit.metrics[settings.metric])
  // With villages coloured, grids fade to a white ground under them so the village colours read true.
  const gridFills = settings.layer === 'grids' ? fills : Object.fromEntries(data.grids.map((g) => [g.code, '#ffffff']))
  return {
    classes,
    legend,
    noData: values.filter((v) => v === null || v === undefined).length,
    gridFills,
    villageFills: settings.layer === 'villages' ? fills : {},
  }
}

export { NO_DATA_COLOUR }
