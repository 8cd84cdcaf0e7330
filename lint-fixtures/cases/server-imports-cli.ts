// as: server/fixture.ts
import { runCli } from '../electron/cli/main'
export const x = runCli
