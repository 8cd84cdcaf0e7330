// Renderer entry: browser mode's launch token out of the address bar first, then language (so the first paint is in the user's language), then the shell.
import './api/launchToken'
import '@mantine/core/styles.css'
import '@mantine/dates/styles.css'
import '@mantine/notifications/styles.css'
import 'leaflet/dist/leaflet.css'
import './shell/app.css'
import { MantineProvider } from '@mantine/core'
import { StrictMode } from 'react'
import { createRoot } from 'react-dom/client'
import { I18nextProvider } from 'react-i18next'
import { App } from './shell/App'
import { LocalisedDates } from './shell/DateField'
import { createI18n } from './shell/i18n'
import { theme } from './shell/theme'

const i18n = await createI18n()

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <I18nextProvider i18n={i18n}>
      <MantineProvider theme={theme} defaultColorScheme="light">
        <LocalisedDates>
          <App />
        </LocalisedDates>
      </MantineProvider>
    </I18nextProvider>
  </StrictMode>,
)
