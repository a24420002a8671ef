import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";

const script = join(import.meta.dirname, "fixtures", "tiny-run.ts");

/** Runs the tiny training; kills it with SIGKILL once it reports step `killAt` (when given). */
function runTiny(
  out: string,
  resume: boolean,
  killAt?: number,
): Promise<{ code: number | null; signal: string | null; stdout: string }> {
  return new Promise((done, failed) => {
    const child = spawn(process.execPath, ["--import", "tsx", script, out, ...(resume ? ["--resume"] : [])], {
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    child.stdout.on("data", (chunk: Buffer) => {
      stdout += chunk.toString();
      if (killAt !== undefined && stdout.includes(`step ${killAt}\n`)) child.kill("SIGKILL");
    });
    child.on("error", failed);
    child.on("close", (code, signal) => done({ code, signal, stdout }));
  });
}

describe("resume after SIGKILL", () => {
  it("ends with bit-identical weights to an uninterrupted run", async () => {
    const base = mkdtempSync(join(tmpdir(), "adapt-resume-"));
    const full = await runTiny(join(base, "full"), false);
    expect(full.code).toBe(0);
    const killAt = 4 + Math.floor(Math.random() * 100);
    const killed = await runTiny(join(base, "cut"), false, killAt);
    expect(killed.signal).toBe("SIGKILL");
    expect(existsSync(join(base, "cut", "final.bin"))).toBe(false);
    const resumed = await runTiny(join(base, "cut"), true);
    expect(resumed.code, resumed.stdout).toBe(0);
    const firstResumed = Number(/step (\d+)/.exec(resumed.stdout)?.[1]);
    expect(firstResumed).toBeGreaterThan(1);
    const a = readFileSync(join(base, "full", "final.bin"));
    const b = readFileSync(join(base, "cut", "final.bin"));
    expect(b.length).toBeGreaterThan(0);
    expect(Buffer.compare(a, b), `killed at step ${killAt}`).toBe(0);
  }, 60_000);

  it("refuses --resume without a checkpoint", async () => {
    const base = mkdtempSync(join(tmpdir(), "adapt-resume-"));
    const r = await runTiny(join(base, "none"), true);
    expect(r.code).not.toBe(0);
  }, 30_000);
});
