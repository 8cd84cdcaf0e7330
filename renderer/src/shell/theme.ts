// Look and feel: system CJK fonts (no web fonts: offline, strict CSP), sizes for a 1366×768 laptop.
import { Collapse, createTheme, Tabs } from '@mantine/core'

const fontStack = [
  '-apple-system',
  'BlinkMacSystemFont',
  '"Segoe UI"',
  '"PingFang SC"',
  '"Hiragino Sans GB"',
  '"Microsoft YaHei"',
  '"Noto Sans CJK SC"',
  '"Source Han Sans SC"',
  '"WenQuanYi Micro Hei"',
  'sans-serif',
].join(', ')

export const theme = createTheme({
  fontFamily: fontStack,
  headings: { fontFamily: fontStack, fontWeight: '600' },
  fontFamilyMonospace: 'ui-monospace, Consolas, "DejaVu Sans Mono", monospace',
  primaryColor: 'blue',
  defaultRadius: 'sm',
  components: {
    // Kept-mounted panels are hidden with display: none, never put in a hidden React <Activity>:
    // Activity runs the effects' cleanups while keeping the DOM, so a Leaflet map inside is removed
    // and its layers then write to a dead map ("Map container is being reused", _leaflet_pos).
    Tabs: Tabs.extend({ defaultProps: { keepMountedMode: 'display-none' } }),
    Collapse: Collapse.extend({ defaultProps: { keepMountedMode: 'display-none' } }),
  },
})
