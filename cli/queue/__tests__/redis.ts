/**
 * Test helpers: a private `redis-server` on a free loopback port in a temp folder, with append-only
 * persistence (fsync on every write), that a test starts, restarts and stops; and `adapt` processes whose
 * stderr a test can wait on.
 */
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";

const bin = join(import.meta.dirname, "..", "..", "..", "bin", "adapt.js");

/** Why Redis tests cannot run here (no `redis-server`), or null. */
export function redisMissing(): string | null {
  const r = spawnSync("redis-server", ["--version"], { encoding: "utf8" });
  return r.status === 0
    ? null
    : "redis-server is not installed (`.ci/run` installs it from Debian): the queue tests are skipped";
}

async function freePort(): Promise<number> {
  return new Promise((done, failed) => {
    const s = createServer();
    s.on("error", failed);
    s.listen(0, "127.0.0.1", () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => done(port));
    });
  });
}

/** A private Redis; `restart()` stops it (saving) and starts it again on the same port and folder. */
export class TestRedis {
  private proc: ChildProcess | null = null;
  private constructor(
    readonly port: number,
    readonly dir: string,
  ) {}

  static async start(): Promise<TestRedis> {
    const r = new TestRedis(await freePort(), mkdtempSync(join(tmpdir(), "adapt-redis-")));
    await r.up();
    return r;
  }

  get url(): string {
    return `redis://127.0.0.1:${this.port}/0`;
  }

  private up(): Promise<void> {
    const args = [
      "--port",
      String(this.port),
      "--bind",
      "127.0.0.1",
      "--dir",
      this.dir,
      "--appendonly",
      "yes",
      "--appendfsync",
      "always",
      "--save",
      "",
      "--protected-mode",
      "no",
    ];
    const proc = spawn("redis-server", args, { stdio: ["ignore", "pipe", "pipe"] });
    this.proc = proc;
    return new Promise((done, failed) => {
      let out = "";
      const timer = setTimeout(() => failed(new Error(`redis-server did not start:\n${out}`)), 20_000);
      proc.stdout!.on("data", (c: Buffer) => {
        out += c.toString();
        if (out.includes("Ready to accept connections")) (clearTimeout(timer), done());
      });
      proc.on("exit", () => (clearTimeout(timer), failed(new Error(`redis-server exited:\n${out}`))));
    });
  }

  async stop(): Promise<void> {
    const p = this.proc;
    this.proc = null;
    if (p === null || p.exitCode !== null) return;
    await new Promise<void>((done) => (p.once("exit", () => done()), p.kill("SIGTERM")));
  }

  async restart(): Promise<void> {
    await this.stop();
    await this.up();
  }
}

/** A running `adapt` process. */
export class Adapt {
  stderr = "";
  stdout = "";
  readonly proc: ChildProcess;
  readonly exited: Promise<{ code: number | null; signal: string | null }>;
  private waiters: { re: RegExp; done: () => void }[] = [];

  constructor(cwd: string, args: string[]) {
    this.proc = spawn(process.execPath, [bin, ...args], {
      cwd,
      stdio: ["ignore", "pipe", "pipe"],
      env: { ...process.env, NO_COLOR: "1" },
    });
    this.proc.stdout!.on("data", (c: Buffer) => (this.stdout += c.toString()));
    this.proc.stderr!.on("data", (c: Buffer) => {
      this.stderr += c.toString();
      this.waiters = this.waiters.filter((w) => (w.re.test(this.stderr) ? (w.done(), false) : true));
    });
    this.exited = new Promise((done) => this.proc.on("close", (code, signal) => done({ code, signal })));
  }

  /** Resolves once stderr matches `re` (or the process ended). */
  until(re: RegExp): Promise<boolean> {
    if (re.test(this.stderr)) return Promise.resolve(true);
    return Promise.race([
      new Promise<boolean>((done) => this.waiters.push({ re, done: () => done(true) })),
      this.exited.then(() => re.test(this.stderr)),
    ]);
  }
}
