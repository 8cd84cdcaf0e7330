// as: electron/core/fixture.ts
import { app } from 'electron'
export const x = app
