// as: electron/core/sync/fixture.ts
import { runCli } from '../../cli/main'
export const x = runCli
