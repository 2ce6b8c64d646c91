// Starts the server of an unpacked MCP Bundle as Claude Desktop would —
// mcp_config for this platform, ${__dirname} and ${user_config.*} replaced
// by the bundle's directory and the defaults — sends `initialize` over
// stdio and checks the answer. Usage: node bundle-check.mjs DIR
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";

const dir = resolve(process.argv[2] ?? "");
const manifest = JSON.parse(readFileSync(join(dir, "manifest.json"), "utf8"));
const base = manifest.server.mcp_config;
const cfg = { ...base, ...(base.platform_overrides?.[process.platform] ?? {}) };

const defaults = Object.fromEntries(
  Object.entries(manifest.user_config ?? {}).map(([k, v]) => [k, String(v.default ?? "")]),
);
const subst = (s) =>
  s.replaceAll("${__dirname}", dir).replace(/\$\{user_config\.([A-Za-z0-9_]+)\}/g, (m, k) => {
    if (!(k in defaults)) throw new Error(`mcp_config names user_config.${k}, which the manifest does not define`);
    return defaults[k];
  });

// A fresh home: the embedded runtime keeps its state there, as it would in
// a new user's.
const home = mkdtempSync(join(tmpdir(), "mcpb-"));
const env = { PATH: process.env.PATH, HOME: home };
for (const [k, v] of Object.entries(cfg.env ?? {})) env[k] = subst(v);

const child = spawn(subst(cfg.command), (cfg.args ?? []).map(subst), { env, stdio: ["pipe", "pipe", "pipe"] });
let stderr = "";
child.stderr.on("data", (d) => (stderr += d));
const fail = (why) => {
  console.error(`bundle-check: ${why}\n--- server stderr ---\n${stderr}`);
  child.kill("SIGKILL");
  rmSync(home, { recursive: true, force: true });
  process.exit(1);
};
child.on("error", (e) => fail(`cannot start ${cfg.command}: ${e.message}`));
child.on("exit", (code, sig) => fail(`the server exited (${code ?? sig}) before answering`));
const timer = setTimeout(() => fail("no answer to initialize within 30 s"), 30_000);

let out = "";
child.stdout.on("data", (d) => {
  out += d;
  const nl = out.indexOf("\n");
  if (nl < 0) return;
  const msg = JSON.parse(out.slice(0, nl));
  const info = msg.result?.serverInfo;
  if (msg.id !== 1 || !info?.name || !msg.result.protocolVersion) fail(`unexpected answer: ${out.slice(0, nl)}`);
  clearTimeout(timer);
  child.removeAllListeners("exit");
  child.on("exit", () => {
    rmSync(home, { recursive: true, force: true });
    console.log(`bundle-check: ${info.name} ${info.version ?? ""} answered initialize (protocol ${msg.result.protocolVersion})`);
    process.exit(0);
  });
  child.stdin.end(); // end of stdio: the server shuts down
  setTimeout(() => fail("the server did not exit after its stdin closed"), 30_000).unref();
});
child.stdin.write(
  JSON.stringify({
    jsonrpc: "2.0",
    id: 1,
    method: "initialize",
    params: { protocolVersion: "2025-06-18", capabilities: {}, clientInfo: { name: "bundle-check", version: "1" } },
  }) + "\n",
);
