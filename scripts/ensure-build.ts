// Before `npm start`: build the web app and seal widget if they are missing or older than their
// sources, so a fresh clone needs only `npm install && npm start`.
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";

const root = join(import.meta.dirname, "..");
const built = join(root, "dist", "web", "index.html");

function newest(dir: string): number {
  if (!existsSync(dir)) return 0;
  let t = 0;
  for (const f of readdirSync(dir, { recursive: true })) {
    const p = join(dir, String(f));
    const s = statSync(p);
    if (s.isFile()) t = Math.max(t, s.mtimeMs);
  }
  return t;
}

// seals (issue 5): the widget bundles the verification code and is built by its own script; an
// older build (roots baked in as "none") would make every seal "not verified"
const widgetManifest = join(root, "dist", "widget", "manifest.json");
const widgetSources = Math.max(newest(join(root, "src", "widget")), newest(join(root, "src", "modules", "seals", "verify")), newest(join(root, "src", "modules", "seals", "tlog")), statSync(join(root, "scripts", "build-widget.ts")).mtimeMs);
const widgetStale = !existsSync(widgetManifest) || statSync(widgetManifest).mtimeMs < widgetSources;
const stale = widgetStale || !existsSync(built) || statSync(built).mtimeMs < Math.max(newest(join(root, "src", "web")), newest(join(root, "src", "widget")));
if (stale) {
  console.log("Building the web app (first start, or its sources changed)…");
  const r = spawnSync("npm", ["run", "--silent", "build"], { cwd: root, stdio: "inherit" });
  if (r.status !== 0) process.exit(r.status ?? 1);
}
