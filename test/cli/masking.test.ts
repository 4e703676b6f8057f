// biome-ignore-all lint/suspicious/noTemplateCurlyInString: ${env:…} placeholders are CLI output, not template literals
/** Secret masking in CLI output (issue 16, bug 2): whole tokens only, and no secret too short to mask. */
import { cpSync } from "node:fs";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { runCxda, scratchDir } from "../helpers/cli.js";

const EXAMPLE = resolve(import.meta.dirname, "../../examples/contact-center");

describe("masking in cxda validate", () => {
  it("does not mask inside words, and warns about secrets too short to mask", async () => {
    const dir = scratchDir();
    cpSync(EXAMPLE, join(dir, "project"), { recursive: true });
    const r = await runCxda(["validate", "-f", "project/cxda.yaml"], {
      cwd: dir,
      env: { CRM_API_TOKEN: "tok-abcdefgh123", CRM_API_KEY: "date", QUEUE_API_SECRET: "short" },
    });
    const all = r.stdout + r.stderr;
    expect(all).toContain("is shorter than 8 characters");
    expect(all).toContain("run cxda validate again");
    expect(all).not.toContain("***er");
    expect(all).not.toContain("vali***");
    expect(r.stderr).toContain("${env:CRM_API_KEY} is 4 characters long, too short to be masked safely");
    expect(r.stderr).toContain("${env:QUEUE_API_SECRET} is 5 characters long, too short to be masked safely");
  });
});
