// as: renderer/src/fixture.ts
import { push } from '../../server/sync'
export const x = push
