// One analysis chart: an ECharts canvas (only the chart types module 3 uses are bundled) in a card
// with its title and a "save image" button that downloads the chart as a PNG (getDataURL).
import { Button, Group, Paper, Text } from '@mantine/core'
import { BarChart, FunnelChart, LineChart, ScatterChart } from 'echarts/charts'
import { GridComponent, LegendComponent, MarkAreaComponent, MarkLineComponent, TitleComponent, TooltipComponent } from 'echarts/components'
import * as echarts from 'echarts/core'
import { CanvasRenderer } from 'echarts/renderers'
import { useEffect, useRef, type ReactNode } from 'react'
import { useTranslation } from 'react-i18next'
import { theme } from '../../shell/theme'

echarts.use([
  BarChart,
  FunnelChart,
  LineChart,
  ScatterChart,
  GridComponent,
  LegendComponent,
  MarkAreaComponent,
  MarkLineComponent,
  TitleComponent,
  TooltipComponent,
  CanvasRenderer,
])

export type ChartOption = echarts.EChartsCoreOption

/** The app's CJK font stack and sizes readable at 1366×768, under every chart. */
const baseOption: ChartOption = {
  textStyle: { fontFamily: theme.fontFamily, fontSize: 13 },
  animation: false,
  tooltip: { confine: true },
}

export function ChartCard({
  title,
  fileName,
  option,
  height = 280,
  note,
  testId,
}: {
  title: string
  fileName: string
  option: ChartOption | null
  height?: number
  note?: ReactNode
  testId?: string
}) {
  const { t } = useTranslation()
  const host = useRef<HTMLDivElement>(null)
  const chart = useRef<echarts.ECharts | null>(null)

  useEffect(() => {
    if (!host.current) return
    const instance = echarts.init(host.current, undefined, { renderer: 'canvas' })
    chart.current = instance
    const observer = new ResizeObserver(() => instance.resize())
    observer.observe(host.current)
    return () => {
      observer.disconnect()
      instance.dispose()
      chart.current = null
    }
  }, [])

  useEffect(() => {
    if (option) chart.current?.setOption({ ...baseOption, ...option }, { notMerge: true })
    else chart.current?.clear()
  }, [option])

  const save = () => {
    const url = chart.current?.getDataURL({ type: 'png', pixelRatio: 2, backgroundColor: '#ffffff' })
    if (!url) return
    const link = document.createElement('a')
    link.href = url
    link.download = `${fileName}.png`
    link.click()
  }

  return (
    <Paper withBorder radius="md" p="sm" data-chart={testId}>
      <Group justify="space-between" wrap="nowrap" mb={4}>
        <Text fw={600} size="sm" truncate>
          {title}
        </Text>
        <Button size="compact-xs" variant="default" onClick={save} disabled={!option} data-save-png={testId}>
          {t('indicators.analysis.savePng')}
        </Button>
      </Group>
      {note && (
        <Text size="sm" c="dimmed" mb={4}>
          {note}
        </Text>
      )}
      <div ref={host} style={{ height, width: '100%' }} />
    </Paper>
  )
}
