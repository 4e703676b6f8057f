import { examples, type RegisterGroup } from "../program.js";

export const registerEmulator: RegisterGroup = (program, run) => {
  const emulator = program.command("emulator").description("the local Data Actions emulator");
  emulator
    .command("start")
    .description("serve the Data Actions API on loopback (SPEC §7)")
    .option(
      "--host <host>",
      "address to bind; any non-loopback address needs --config with your own clients",
      "127.0.0.1",
    )
    .option("--port <port>", "port (0 = any free port)", "8787")
    .option("--data-dir <dir>", "keep state in this directory (SQLite, survives restarts)")
    .option("--in-memory", "keep state in memory only (the default)")
    .option("--config <file>", "tenants, clients, environments (YAML or JSON)")
    .option("--rate-limit <n>", "requests per minute per client")
    .option("--token-ttl <seconds>", "access token lifetime")
    .option(
      "--test-hooks",
      "serve the /_emulator test hooks on a non-loopback --host too (loopback clients only)",
    )
    .addHelpText(
      "after",
      examples(
        "cxda emulator start --in-memory",
        "cxda emulator start --data-dir .cxda --port 9000 --token-ttl 60",
        "cxda emulator start --host 0.0.0.0 --config emulator.yaml",
      ),
    )
    .action(run(async () => (await import("../commands/emulator.js")).emulatorStart));

  program
    .command("demo")
    .description("run every workflow against an embedded emulator and print a report (what `npm start` runs)")
    .addHelpText("after", examples("cxda demo", "npm start"))
    .action(run(async () => (await import("../commands/demo.js")).demo));
};
