// Before `npm start`: build the web app and seal widget if they are missing or older than their
// sources, so a fresh clone needs only `npm install && npm start`.
import { spawnSync } from "node:child_process";
import { existsSync, statSync } from "node:fs";
import { join } from "node:path";
import { newestMtime } from "../src/platform/newest.ts";

const root = join(import.meta.dirname, "..");
const built = join(root, "dist", "web", "index.html");

// seals (issue 5): the widget bundles the verification code and is built by its own script; an
// older build (roots baked in as "none") would make every seal "not verified"
const widgetManifest = join(root, "dist", "widget", "manifest.json");
const widgetSources = Math.max(newestMtime(join(root, "src", "widget")), newestMtime(join(root, "src", "modules", "seals", "verify")), newestMtime(join(root, "src", "modules", "seals", "tlog")), statSync(join(root, "scripts", "build-widget.ts")).mtimeMs);
const widgetStale = !existsSync(widgetManifest) || statSync(widgetManifest).mtimeMs < widgetSources;
const stale = widgetStale || !existsSync(built) || statSync(built).mtimeMs < Math.max(newestMtime(join(root, "src", "web")), newestMtime(join(root, "src", "widget")));
if (stale) {
  console.log("Building the web app (first start, or its sources changed)…");
  const r = spawnSync("npm", ["run", "--silent", "build"], { cwd: root, stdio: "inherit" });
  if (r.status !== 0) process.exit(r.status ?? 1);
}
