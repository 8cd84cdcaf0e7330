// as: renderer/src/fixture.ts
import { openCore } from '../../electron/core/app'
export const x = openCore
