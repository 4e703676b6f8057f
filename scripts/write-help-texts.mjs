// `npm run build` runs this last: writes dist/cli/help/<command path>.txt (cxda.txt, cxda.plan.txt,
// cxda.actions.create.txt, …), the text `cxda [command …] --help` prints to an output that is not a
// terminal (commander's 80 columns), so that bin.js can print it without loading the command tree and
// its declarations (zod). The texts are the program's own: a child process with its output on a pipe
// builds the command tree from dist/ and has runCli print each command's help.
import { spawnSync } from "node:child_process";
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { Writable } from "node:stream";
import { pathToFileURL } from "node:url";

if (process.argv[2] === "--print") {
  // The child: every command path and its help, as JSON on stdout.
  const { buildProgram, runCli } = await import(pathToFileURL(resolve("dist/cli/program.js")).href);
  const paths = [[]];
  const walk = (command, path) => {
    for (const sub of command.commands) {
      paths.push([...path, sub.name()]);
      walk(sub, [...path, sub.name()]);
    }
  };
  walk(await buildProgram({ exit() {} }), []);
  const texts = {};
  for (const path of paths) {
    let text = "";
    let code = -1;
    const stdout = new Writable({
      write(chunk, _encoding, done) {
        text += String(chunk);
        done();
      },
    });
    await runCli([...path, "--help"], { exit: (c) => (code = c), stdout, env: {} });
    if (code !== 0 || text === "") throw new Error(`cxda ${path.join(" ")} --help: exit ${code}`);
    texts[["cxda", ...path].join(".")] = text;
  }
  process.stdout.write(JSON.stringify(texts));
} else {
  const dir = resolve("dist/cli/help");
  rmSync(dir, { recursive: true, force: true });
  const env = { ...process.env, NO_COLOR: "1" };
  delete env.FORCE_COLOR;
  delete env.CLICOLOR_FORCE;
  const run = spawnSync(process.execPath, [process.argv[1], "--print"], {
    encoding: "utf8",
    env,
    stdio: ["ignore", "pipe", "pipe"],
    maxBuffer: 64 * 1024 * 1024,
  });
  if (run.status !== 0) {
    console.error(`writing the help texts failed (exit ${run.status}): ${run.stderr}`);
    process.exit(1);
  }
  mkdirSync(dir, { recursive: true });
  for (const [name, text] of Object.entries(JSON.parse(run.stdout)))
    writeFileSync(join(dir, `${name}.txt`), text);
}
