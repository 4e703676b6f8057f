/**
 * The B4 baseline: a bare node:http server answering every request with fixed bytes (the body and
 * headers the emulator sent for the same GET). argv[2]: JSON {body, headers}. IPC as emulator-child.
 */
import http from "node:http";

const { body, headers } = JSON.parse(process.argv[2]);
const bytes = Buffer.from(body);
const fixed = { ...headers, "content-length": String(bytes.length) };
const server = http.createServer((request, response) => {
  request.resume();
  response.writeHead(200, fixed);
  response.end(bytes);
});
server.keepAliveTimeout = 72_000;
server.listen(0, "127.0.0.1", () => {
  process.send({ type: "ready", url: `http://127.0.0.1:${server.address().port}` });
});
process.on("message", (message) => {
  if (message === "cpu") process.send({ type: "cpu", ...process.cpuUsage() });
  if (message === "close") server.close(() => process.exit(0));
  if (message === "close") server.closeAllConnections();
});
process.on("disconnect", () => process.exit(0));
