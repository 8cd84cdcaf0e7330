// as: electron/main/fixture.ts
import { startServer } from '../devserver/server'
export const x = startServer
