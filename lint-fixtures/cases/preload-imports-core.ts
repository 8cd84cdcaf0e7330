// as: electron/preload/fixture.ts
import { openCore } from '../core/app'
export const x = openCore
