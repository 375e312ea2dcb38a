import assert from "node:assert/strict";
import { mkdtemp, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { createPublisher } from "./seals.publish.ts";

test("publisher: concurrent writes of one file in one process all land, leave no temporaries; immutable files stay; unknown paths are not served", async () => {
  const dir = await mkdtemp(join(tmpdir(), "ectrust-publish-"));
  try {
    const pub = createPublisher({ dir, logDir: join(dir, "log") });
    // Many writers of the same status list at once (what two servers in one process do).
    await Promise.all(Array.from({ length: 20 }, (_, i) => pub.write("trust/status/s/1", `jwt-${String(i)}`)));
    const got = await pub.read("trust", "status/s/1");
    assert.ok(got);
    assert.match(got.body.toString(), /^jwt-\d+$/);
    assert.equal(got.contentType, "application/vc+jwt");
    assert.deepEqual(await readdir(join(dir, "trust", "status", "s")), ["1"], "no temporary file is left behind");

    const key = "keys/urn:ietf:params:oauth:jwk-thumbprint:sha-256:" + "A".repeat(43);
    await pub.write(`trust/${key}`, "first", true);
    await pub.write(`trust/${key}`, "second", true);
    assert.equal((await pub.read("trust", key))?.body.toString(), "first");
    assert.equal((await pub.read("trust", key))?.cacheControl, "public, max-age=31536000, immutable");

    assert.equal(await pub.read("trust", "../../etc/passwd"), undefined);
    assert.equal(await pub.read("trust", "status/s/1.tmp-abc"), undefined);
    assert.equal(await pub.read("log", "checkpoint"), undefined, "a file not yet written is absent, not an error");
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
