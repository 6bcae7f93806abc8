// One seeded PRNG for every fuzz test, so a failing seed replays the same inputs (the app's own).
export { seededRandom as prng } from '../../src/shared/seeded-random'
