// Builds dist/: the ES module as written, and a script-tag build (window.Arithmospora) made from
// it, then copies the script-tag build to where the server serves it. No bundler: the source is
// one file with no imports.
import { readFileSync, writeFileSync, mkdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const source = readFileSync(join(here, "src", "arithmospora.mjs"), "utf8");
const banner = "/* arithmospora client — built from clients/js/src/arithmospora.mjs; do not edit. */\n";

export function scriptBuild(text) {
  const body = text.replace(/^export (class|function) /gm, "$1 ");
  return (
    banner +
    "(function (global) {\n  \"use strict\";\n" +
    body +
    "\n  global.Arithmospora = { Client: Client, connect: connect };\n" +
    "})(typeof window !== \"undefined\" ? window : globalThis);\n"
  );
}

export const served = join(
  here, "..", "..", "arithmospora-http", "src", "main", "resources", "org", "arithmospora", "http",
  "dashboard", "arithmospora.js");

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  mkdirSync(join(here, "dist"), { recursive: true });
  writeFileSync(join(here, "dist", "arithmospora.mjs"), banner + source);
  const script = scriptBuild(source);
  writeFileSync(join(here, "dist", "arithmospora.js"), script);
  writeFileSync(served, script);
  console.error("built dist/arithmospora.mjs, dist/arithmospora.js and the server's copy");
}
