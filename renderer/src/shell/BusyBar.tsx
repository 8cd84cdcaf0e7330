// A thin bar under the header while a page waits for data: it appears only when a read has taken
// more than 300 ms (a quick answer never flickers it), whatever page asked.
import { Box, Progress, VisuallyHidden } from '@mantine/core'
import { useEffect, useState, useSyncExternalStore } from 'react'
import { useTranslation } from 'react-i18next'
import { readsInFlight } from '../api/useCall'

export const BUSY_DELAY_MS = 300

export function BusyBar() {
  const { t } = useTranslation()
  const busy = useSyncExternalStore(readsInFlight.subscribe, () => readsInFlight.count() > 0)
  const [shown, setShown] = useState(false)
  useEffect(() => {
    if (!busy) {
      setShown(false)
      return
    }
    const timer = setTimeout(() => setShown(true), BUSY_DELAY_MS)
    return () => clearTimeout(timer)
  }, [busy])
  if (!shown) return null
  return (
    <Box role="status" data-testid="busy-bar" pos="absolute" left={0} right={0} bottom={-3} style={{ zIndex: 200 }}>
      <Progress value={100} animated striped size={3} radius={0} aria-hidden />
      <VisuallyHidden>{t('shell.loading')}</VisuallyHidden>
    </Box>
  )
}
