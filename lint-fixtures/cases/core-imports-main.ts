// as: electron/core/sync/fixture.ts
import { something } from '../../main/index'
export const x = something
