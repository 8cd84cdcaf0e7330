// as: server/fixture.ts
import { api } from '../renderer/src/api/client'
export const x = api
