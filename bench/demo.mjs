// For the Node benchmarks: the runnable jar's demo election on free ports, and the 'ws' package
// from clients/js. Run from the repository root after mvn package.
import { spawn } from "node:child_process";
import { createRequire } from "node:module";

const require = createRequire(new URL("../clients/js/package.json", import.meta.url));
export const WebSocket = require("ws");

/** Starts the demo at `rate` votes a second; resolves to { url, stop } once it serves. */
export async function startDemo(rate) {
  const demo = spawn("java", ["-jar", "arithmospora-cli/target/arithmospora.jar", "demo", "--http-port", "0",
    "--ws-port", "0", "--bind", "127.0.0.1", "--rate", String(rate)], { stdio: ["ignore", "pipe", "inherit"] });
  let out = "";
  const url = await new Promise((resolve, reject) => {
    demo.stdout.on("data", (c) => {
      out += c;
      const m = out.match(/Websocket:\s+(\S+)/);
      if (m) resolve(m[1]);
    });
    demo.on("exit", (code) => reject(new Error("demo exited " + code)));
  });
  return { url, stop: () => demo.kill("SIGTERM") };
}
