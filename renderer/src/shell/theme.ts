// Look and feel: system CJK fonts (no web fonts: offline, strict CSP), sizes for a 1366×768 laptop.
import { createTheme } from '@mantine/core'

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
})
