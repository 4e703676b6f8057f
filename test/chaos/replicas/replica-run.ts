/**
 * The reliability scenarios across replicas: a ChaosRun whose `emulator()` is two replicas (built CLI
 * processes) on a fresh PostgreSQL database behind the round-robin proxy, so R1, R2, R9 and R17 run
 * unchanged against it. Test hooks reach every replica (replica-set.ts).
 */
import type { RunningEmulator } from "../../../src/emulator/server.js";
import { createTestDatabase, type TestDatabase } from "../../helpers/postgres.js";
import { ReplicaSet } from "../../support/replicas/replica-set.js";
import { ChaosRun } from "../harness.js";

export interface Replicated {
  emulator: RunningEmulator;
  set: ReplicaSet;
  database: TestDatabase;
}

export class ReplicaChaosRun extends ChaosRun {
  readonly sets: ReplicaSet[] = [];

  async replicated(
    options: { rateLimit?: { perMinute: number; burst: number }; tokenTtlSeconds?: number } = {},
  ): Promise<Replicated> {
    const database = await createTestDatabase();
    let set: ReplicaSet;
    try {
      set = await ReplicaSet.start({
        databaseUrl: database.url,
        replicas: 2,
        config: {
          ...this.config(),
          rateLimit: options.rateLimit ?? { perMinute: 100_000, burst: 10_000 },
          ...(options.tokenTtlSeconds === undefined ? {} : { tokenTtlSeconds: options.tokenTtlSeconds }),
        },
      });
    } catch (error) {
      await database.drop();
      throw error;
    }
    this.sets.push(set);
    const emulator = {
      url: set.url,
      port: Number(new URL(set.url).port),
      host: "127.0.0.1",
      replicaId: "proxy",
      warnings: [],
      routes: [],
      close: async () => {
        await set.close();
        await database.drop();
      },
    } as unknown as RunningEmulator;
    return { emulator, set, database };
  }

  override async emulator(
    _name: string,
    options: { rateLimit?: { perMinute: number; burst: number }; tokenTtlSeconds?: number } = {},
  ): Promise<RunningEmulator> {
    return (await this.replicated(options)).emulator;
  }
}
