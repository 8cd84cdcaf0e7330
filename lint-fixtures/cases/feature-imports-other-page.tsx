// as: renderer/src/features/grids/Fixture.tsx
import { VillagesPage } from '../villages/VillagesPage'
export const x = VillagesPage
