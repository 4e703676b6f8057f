import { describe, expect, it } from "vitest";
import { isEnvironmentId } from "../../src/domain/environment-id.js";
import { defaultEmulatorConfig, parseEmulatorConfig } from "../../src/emulator/config.js";
import { EnvironmentIdSchema } from "../../src/project/project-schema.js";

const TABLE: [string, boolean][] = [
  ["dev", true],
  ["prod_eu-2", true],
  ["A".repeat(64), true],
  ["A".repeat(65), false],
  ["", false],
  ["dev.eu", false],
  ["dev eu", false],
  ["dév", false],
  ["prod/1", false],
];

/** The emulator's config file and the project file accept exactly the ids the domain rule accepts. */
describe("ENVIRONMENT_ID", () => {
  it.each(TABLE)("%j → %s in the domain, the emulator config and the project schema", (id, valid) => {
    expect(isEnvironmentId(id)).toBe(valid);
    expect(EnvironmentIdSchema.safeParse(id).success).toBe(valid);
    const config = defaultEmulatorConfig();
    const parse = () =>
      parseEmulatorConfig({
        ...config,
        environments: [{ id, name: "Env", order: 0, buildOnChange: false }],
      });
    if (valid) expect(parse().environments[0]!.id).toBe(id);
    else expect(parse).toThrow(/environments\[0\]\.id.*1–64 characters from A–Z/s);
  });
});
