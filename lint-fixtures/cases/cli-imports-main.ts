// as: electron/cli/fixture.ts
import { x as y } from '../main/index'
export const x = y
