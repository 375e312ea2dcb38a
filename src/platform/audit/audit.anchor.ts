// Audit checkpoints: the chain's head (seq and hash) and the time, MACed under a key derived from
// the master key and kept outside the database (DATA_DIR/audit/checkpoint). The keyed chain stops
// a database-only attacker from re-chaining an edited row, but deleting the newest rows still
// leaves a valid, shorter chain; against the newest checkpoint that trail is "truncated". Such an
// attacker can neither forge a checkpoint (no key) nor roll the file back (no file access).
//
// What stays undetectable: removing rows written after the newest checkpoint (at most one
// interval, CHECKPOINT_INTERVAL_MS, while a process runs); and anything done to the unkeyed
// ("legacy") rows before the first checkpoint anchored them.
import { createHmac, randomBytes } from "node:crypto";
import { mkdir, open, readFile, rename } from "node:fs/promises";
import { join } from "node:path";
import type { Clock } from "../clock.ts";
import { constantTimeEqual } from "../crypto.ts";
import type { Db } from "../db/database.ts";
import { canonicalJson, extendChain, verifyAuditChain, type AuditProblem, type ChainHead, type VerifyResult } from "./audit.ts";
import { AuditError } from "./audit.errors.ts";
import type { AuditKeys } from "./audit.key.ts";
import { lockForTransaction } from "../db/locks.ts";

export const CHECKPOINT_FORMAT = "ectrust/audit/checkpoint/v1";
/** How often each server process commits the head (the window in which removing rows goes unnoticed). */
export const CHECKPOINT_INTERVAL_MS = 10_000;
/** Serialises checkpoint writers across processes (the file's read-compare-replace). */
const ANCHOR_LOCK = 0x61756463; // "audc"
const MAX_CHECKPOINT_BYTES = 1024;
const HASH = /^(?:hmac-sha256:)?[0-9a-f]{64}$/;

export interface AuditCheckpoint extends ChainHead {
  at: Date;
}

/** Two lines: the canonical JSON body, then HMAC-SHA256(checkpoint key, body) in hex. */
export function formatCheckpoint(checkpointKey: Buffer, cp: AuditCheckpoint): string {
  const body = canonicalJson({ format: CHECKPOINT_FORMAT, seq: cp.seq, hash: cp.hash, at: cp.at.toISOString() });
  return `${body}\n${createHmac("sha256", checkpointKey).update(body).digest("hex")}\n`;
}

/** Parses and checks a checkpoint file: its MAC first, then its fields. */
export function parseCheckpoint(checkpointKey: Buffer, text: string): AuditCheckpoint {
  if (text.length > MAX_CHECKPOINT_BYTES) throw new AuditError("checkpoint_malformed", "the checkpoint file is too large");
  const lines = text.split("\n");
  const [body = "", mac = "", rest] = lines;
  if (lines.length !== 3 || rest !== "" || !/^[0-9a-f]{64}$/.test(mac)) throw new AuditError("checkpoint_malformed", "the checkpoint file is not a body line and a MAC line");
  if (!constantTimeEqual(createHmac("sha256", checkpointKey).update(body).digest("hex"), mac)) {
    throw new AuditError("checkpoint_mac", "the checkpoint's MAC does not verify: it was not written under this deployment's master key");
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch (cause) {
    throw new AuditError("checkpoint_malformed", "the checkpoint body is not JSON", { cause });
  }
  const { format, seq, hash, at } = (parsed ?? {}) as Record<string, unknown>;
  const when = typeof at === "string" ? new Date(at) : undefined;
  if (format !== CHECKPOINT_FORMAT || !Number.isSafeInteger(seq) || (seq as number) < 0 || typeof hash !== "string" || !HASH.test(hash) || !when || Number.isNaN(when.getTime())) {
    throw new AuditError("checkpoint_malformed", "the checkpoint body lacks a valid format, seq, hash or time");
  }
  return { seq: seq as number, hash, at: when };
}

/** Where the newest checkpoint lives. */
export interface CheckpointStore {
  read(): Promise<string | undefined>;
  /** replaces the checkpoint durably and atomically */
  write(text: string): Promise<void>;
}

/** `<dir>/checkpoint`, owner-only; written to a temporary file, fsync'd, renamed, directory fsync'd. */
export function fsCheckpointStore(dir: string): CheckpointStore {
  const path = join(dir, "checkpoint");
  return {
    async read() {
      try {
        return await readFile(path, "utf8");
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code === "ENOENT") return undefined;
        throw e;
      }
    },
    async write(text) {
      await mkdir(dir, { recursive: true, mode: 0o700 });
      const tmp = join(dir, `.checkpoint-${randomBytes(6).toString("hex")}`);
      const fh = await open(tmp, "wx", 0o600);
      try {
        await fh.writeFile(text);
        await fh.sync();
      } finally {
        await fh.close();
      }
      await rename(tmp, path);
      const d = await open(dir, "r");
      try {
        await d.sync();
      } finally {
        await d.close();
      }
    },
  };
}

export type CheckpointOutcome =
  | { status: "written"; checkpoint: AuditCheckpoint }
  | { status: "current" }
  | { status: "refused"; problem: AuditProblem };

export interface AuditAnchorDeps {
  db: Db;
  keys: AuditKeys;
  store: CheckpointStore;
  clock: Clock;
  logger?: { error(obj: object, msg: string): void };
}

export function createAuditAnchor(deps: AuditAnchorDeps) {
  const { db, keys, store, clock } = deps;
  const latest = async (): Promise<AuditCheckpoint | undefined> => {
    const text = await store.read();
    return text === undefined ? undefined : parseCheckpoint(keys.checkpoint, text);
  };

  /**
   * Commits the head if the trail still holds the newest checkpoint and every row after it is
   * keyed and chained. Otherwise the checkpoint stays as it is, so verification keeps failing.
   */
  async function checkpoint(): Promise<CheckpointOutcome> {
    let prev: AuditCheckpoint | undefined;
    try {
      prev = await latest();
    } catch (e) {
      if (e instanceof AuditError) return { status: "refused", problem: { seq: 0, kind: "checkpoint_invalid", detail: e.message } };
      throw e;
    }
    const walked = await extendChain(db, prev, keys.chain);
    if (walked.problem) return { status: "refused", problem: walked.problem };
    if (prev && walked.head.seq === prev.seq) return { status: "current" };
    const next: AuditCheckpoint = { ...walked.head, at: clock.now() };
    // Outside the append lock (writers go on); the anchor lock makes read-compare-replace atomic
    // across processes, so the file never moves back.
    const written = await db.transaction(async (tx) => {
      await lockForTransaction(tx, ANCHOR_LOCK);
      const cur = await latest();
      if (cur?.seq !== prev?.seq || cur?.hash !== prev?.hash) return false; // another process moved it: the next round goes on from there
      await store.write(formatCheckpoint(keys.checkpoint, next));
      return true;
    });
    return written ? { status: "written", checkpoint: next } : { status: "current" };
  }

  /** The whole chain, against the newest checkpoint. */
  async function verify(): Promise<VerifyResult> {
    let cp: AuditCheckpoint | undefined;
    try {
      cp = await latest();
    } catch (e) {
      if (!(e instanceof AuditError)) throw e;
      return { ok: false, rows: 0, legacyRows: 0, checkpoint: null, problem: { seq: 0, kind: "checkpoint_invalid", detail: e.message } };
    }
    return verifyAuditChain(db, { chainKey: keys.chain, checkpoint: cp ?? null });
  }

  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> | undefined;
  let lastProblem = "";
  const round = (): Promise<void> =>
    (running ??= checkpoint()
      .then(
        (outcome) => {
          const problem = outcome.status === "refused" ? `${outcome.problem.kind} at row ${outcome.problem.seq}: ${outcome.problem.detail}` : "";
          if (problem && problem !== lastProblem) deps.logger?.error({ problem: outcome.status === "refused" ? outcome.problem : undefined }, "audit trail does not extend its newest checkpoint; the checkpoint is kept (ectrust audit verify)");
          lastProblem = problem;
        },
        (err: unknown) => {
          deps.logger?.error({ err }, "audit checkpoint failed");
        },
      )
      .finally(() => {
        running = undefined;
      }));

  return {
    checkpoint,
    verify,
    /** one checkpoint now (errors are logged), then one every `intervalMs` until close() */
    async start(intervalMs = CHECKPOINT_INTERVAL_MS): Promise<void> {
      await round();
      timer ??= setInterval(() => void round(), intervalMs).unref();
    },
    /** stops the timer and commits the head a last time */
    async close(): Promise<void> {
      clearInterval(timer);
      timer = undefined;
      await running;
      await round();
    },
  };
}

export type AuditAnchor = ReturnType<typeof createAuditAnchor>;
