/** The two sizes of the suite: the full size (`npm run chaos`) and a bounded one inside `npm test`. */
export interface ChaosSize {
  name: "full" | "bounded";
  r1Creates: number;
  r2Editors: number;
  r2Edits: number;
  /** Items each R2 editor adds to one action's variables and to its overrides (16 × 3 = 48 ≤ 50, the cap). */
  r2ItemEdits: number;
  r3Seconds: number;
  r4Chains: number;
  r5Workers: number;
  r5OpsPerWorker: number;
  r7Requests: number;
  r8Kills: number;
  /** Actions in R8's project (each with variables and overrides in 3 environments). */
  r8Actions: number;
  /** R8c: rounds of `cxda apply` through one changeset, each SIGKILLed at a seeded point, then resumed. */
  r8cKills: number;
  /** R17: operations of the changeset whose next-to-last operation is invalid (then replayed after a drop). */
  r17Operations: number;
  /** R18: editors changing other actions while a deployment is rolled back. */
  r18Editors: number;
  /** Wrong-secret token requests of R15's floods. */
  r15Guesses: number;
  /** Rounds of R12's leaking scripts (each round: 9 actions × 3 environments × with/without execute). */
  r12Rounds: number;
  /** R14: the flooding tenant's concurrent test runs, and the victim's test runs in each phase. */
  r14Flood: number;
  r14VictimRuns: number;
  /** Actions of R13's project with plain placeholders; escapes R13 also tries through the built CLI. */
  r13Actions: number;
  r13CliEscapes: number;
  /** R19: writers through the proxy, and operations each (creates, changesets, header edits in turn). */
  r19Writers: number;
  r19OpsPerWriter: number;
  /** R20: operations (creates and reads) while every database connection is ended `r20Outages` times. */
  r20Operations: number;
  r20Outages: number;
  /**
   * R21: writers; edits in all with both listeners 100 ms late (each read back through the other
   * replica); tokens revoked; then edits one at a time, written through one replica and read through the other, whose listener is 10 s late (2 s each).
   */
  r21Writers: number;
  r21Edits: number;
  r21Revocations: number;
  r21LateRounds: number;
}

export const FULL: ChaosSize = {
  name: "full",
  r1Creates: 200,
  r2Editors: 16,
  r2Edits: 10,
  r2ItemEdits: 3,
  r3Seconds: 60,
  r4Chains: 60,
  r5Workers: 10,
  r5OpsPerWorker: 6,
  r7Requests: 10_000,
  r8Kills: 10,
  r8Actions: 40,
  r8cKills: 20,
  r17Operations: 1000,
  r18Editors: 8,
  r15Guesses: 1_000,
  r12Rounds: 5,
  r14Flood: 200,
  r14VictimRuns: 200,
  r13Actions: 10,
  r13CliEscapes: 5,
  r19Writers: 8,
  r19OpsPerWriter: 60,
  r20Operations: 1_000,
  r20Outages: 6,
  r21Writers: 8,
  r21Edits: 1_000,
  r21Revocations: 100,
  r21LateRounds: 10,
};

export const BOUNDED: ChaosSize = {
  name: "bounded",
  r1Creates: 60,
  r2Editors: 16,
  r2Edits: 10,
  r2ItemEdits: 2,
  r3Seconds: 10,
  r4Chains: 20,
  r5Workers: 10,
  r5OpsPerWorker: 2,
  r7Requests: 1_000,
  r8Kills: 3,
  r8Actions: 12,
  r8cKills: 4,
  r17Operations: 200,
  r18Editors: 8,
  r15Guesses: 200,
  r12Rounds: 1,
  r14Flood: 12,
  r14VictimRuns: 6,
  r13Actions: 2,
  r13CliEscapes: 2,
  r19Writers: 6,
  r19OpsPerWriter: 15,
  r20Operations: 150,
  r20Outages: 2,
  r21Writers: 4,
  r21Edits: 60,
  r21Revocations: 10,
  r21LateRounds: 2,
};
