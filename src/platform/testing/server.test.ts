// The test servers' port reservation: a port held until the real server listens on it.
import { test } from "node:test";
import assert from "node:assert/strict";
import { createServer, type Server } from "node:net";
import { reservePort } from "./server.ts";

function listenOn(port: number): Promise<Server> {
  const s = createServer();
  return new Promise((resolve, reject) => {
    s.once("error", reject);
    s.listen(port, "127.0.0.1", () => {
      resolve(s);
    });
  });
}

test("a reserved port cannot be taken until it is released, then the server listens on it", async () => {
  const reservation = await reservePort();
  assert.ok(reservation.port > 0);
  await assert.rejects(listenOn(reservation.port), { code: "EADDRINUSE" });
  await reservation.release();
  await reservation.release(); // twice is harmless (a finally block after the listen)
  const s = await listenOn(reservation.port);
  await new Promise((r) => s.close(r));
});
