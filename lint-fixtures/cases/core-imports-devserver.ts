// as: electron/core/sync/fixture.ts
import { startServer } from '../../devserver/server'
export const x = startServer
