// English, the second UI language.
import type { Messages } from './zh-CN'

export const en: Messages = {
  app: { name: 'GridDesk', tagline: "The grid manager's offline workbench" },
  nav: {
    map: 'Map',
    grids: 'Grids',
    villages: 'Villages',
    customers: 'Key customers',
    intel: 'Competitor intel',
    visits: 'Visits',
    indicators: 'Indicators',
    sync: 'Sync',
    reports: 'Reports',
  },
  errors: {
    VALIDATION: 'Invalid input: {{detail}}',
    NOT_FOUND: 'Record not found; it may have been deleted.',
    CONFLICT: 'This conflicts with stored data; nothing was changed.',
    DEMO_ALREADY_LOADED: 'This data directory already holds grids; the demo county loads only into an empty one.',
    UNKNOWN_HANDLER: 'Internal error: unknown operation.',
    FORBIDDEN: 'You are not allowed to do this.',
    INTERNAL: 'An unexpected error occurred; see the log. No data was changed.',
    NETWORK: 'Cannot reach the local service.',
  },
}
