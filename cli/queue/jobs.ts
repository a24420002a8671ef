/**
 * What `adapt sweep --queue` and `adapt worker` share: the queue address (ADAPT360), the queue's name,
 * a job's data and its idempotent id, the worker and queue settings, and the marker file that proves a
 * worker sees the same sweep folder as the submitter (ADAPT362).
 */
import { randomUUID } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { diag, FILE_START, type Diagnostic } from "../../compiler/diagnostics/diagnostic.ts";
import { sha256 } from "../../compiler/lower/sha256.ts";
import { atomicWrite } from "../../runtime/io/atomic.ts";
import { reason } from "../files.ts";

/** The BullMQ queue every sweep's points go to (one queue: workers need no per-sweep address). */
export const QUEUE_NAME = "adapt-sweep-points";

/** A Redis address: `redis://HOST:PORT[/DB]`. */
export interface QueueAddress {
  readonly host: string;
  readonly port: number;
  readonly db: number;
}

/** Parses `--queue`; ADAPT360 (attached to the flag) when it is not `redis://HOST:PORT[/DB]`. */
export function parseQueueUrl(text: string): { address: QueueAddress | null; problem: Diagnostic | null } {
  const bad = (why: string) => ({
    address: null,
    problem: {
      ...diag("ADAPT360", FILE_START, `\`--queue ${text}\` is not a Redis address: ${why}`, {
        help: "write `--queue redis://HOST:PORT` or `redis://HOST:PORT/DB`, e.g. `redis://127.0.0.1:6379/0`",
      }),
      file: "--queue",
    },
  });
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return bad("it is not a URL");
  }
  if (url.protocol !== "redis:") return bad(`the scheme is \`${url.protocol.replace(/:$/, "")}\`, not \`redis\``);
  if (url.hostname === "") return bad("it has no host");
  const port = url.port === "" ? 6379 : Number(url.port);
  const path = url.pathname.replace(/^\//, "");
  const db = path === "" ? 0 : Number(path);
  if (!Number.isInteger(db) || db < 0 || db > 15 || !/^\d*$/.test(path))
    return bad(`the database \`${path}\` is not a number from 0 to 15`);
  return { address: { host: url.hostname.replace(/^\[|\]$/g, ""), port, db }, problem: null };
}

/** BullMQ connection options: reconnect forever (Redis may restart), never fail a command for a retry count. */
export function connection(a: QueueAddress) {
  return {
    host: a.host,
    port: a.port,
    db: a.db,
    maxRetriesPerRequest: null,
    enableOfflineQueue: true,
    retryStrategy: (n: number) => Math.min(200 * n, 2000),
  };
}

/** What a queued point carries: everything a worker needs to run it exactly as a local sweep's process would. */
export interface QueuedPoint {
  readonly pointId: string;
  /** The sweep spec's absolute path (on the shared folder: the same path on every machine). */
  readonly file: string;
  /** The point's single-run spec text. */
  readonly text: string;
  readonly out: string;
  /** The token of `OUT/.adapt-queue.json`: a worker that reads another is not on the same folder. */
  readonly marker: string;
  readonly backend: string;
  readonly model?: string | undefined;
  readonly fingerprint: string;
}

/** A job's id: the same sweep (spec text), point and base model give the same id, so enqueuing twice adds nothing. */
export function jobId(specHash: string, pointId: string, fingerprint: string): string {
  return `point-${sha256(`${specHash}\n${pointId}\n${fingerprint}`).slice(0, 40)}`;
}

/** What a worker reports while it trains a point (`job.updateProgress`). */
export interface PointProgress {
  readonly worker: string;
  readonly step: number;
  readonly totalSteps: number;
  readonly resumedAt: number;
}

/** Queue defaults: a job that crashes its process (not a diagnostic) is tried this many times in all. */
export const ATTEMPTS = 3;

/** The marker file's path in a sweep folder. */
export function markerPath(out: string): string {
  return join(out, ".adapt-queue.json");
}

/** Writes (or keeps) the folder's marker; returns its token. */
export function ensureMarker(out: string): string {
  const existing = readMarker(out);
  if (existing !== null) return existing;
  const token = randomUUID();
  atomicWrite(markerPath(out), `${JSON.stringify({ token, created: new Date().toISOString() })}\n`);
  return token;
}

/** The folder's marker token; null when there is none. */
export function readMarker(out: string): string | null {
  try {
    const m = JSON.parse(readFileSync(markerPath(out), "utf8")) as { token?: unknown };
    return typeof m.token === "string" ? m.token : null;
  } catch {
    return null;
  }
}

/** ADAPT362 when this machine does not see the submitter's marker in `out`. */
export function checkMarker(out: string, token: string): Diagnostic | null {
  let seen: string | null = null;
  let why = "";
  try {
    seen = (JSON.parse(readFileSync(markerPath(out), "utf8")) as { token?: string }).token ?? null;
  } catch (e) {
    why = ` (${reason(e)})`;
  }
  if (seen === token) return null;
  const what = seen === null ? `has no readable marker${why}` : "holds the marker of another sweep";
  return {
    ...diag(
      "ADAPT362",
      FILE_START,
      `the sweep folder \`${out}\` ${what}: this worker does not see the submitter's folder`,
      {
        help: "mount the shared folder at the same path on every machine (NFS or a mounted bucket)",
      },
    ),
    file: markerPath(out),
  };
}
