/**
 * Throughput of `adapt worker` on the tiny 2 x 2 grid with 1, 2 and 3 workers, side by side in one run,
 * each on its own private Redis (needs `redis-server`), plus the time from a worker's SIGKILL to another
 * worker resuming its point. Prints points per minute, the ratios to one worker, the load average before
 * each run, and the detection time. Usage: `npx tsx bench/queue-workers.ts [--stall-seconds S]`.
 */
import { writeFileSync } from "node:fs";
import { loadavg } from "node:os";
import { join } from "node:path";
import { workspace } from "../runtime/train/__tests__/fixtures/workspace.ts";
import { Adapt, redisMissing, TestRedis } from "../cli/queue/__tests__/redis.ts";
import { GRID_SPEC as SPEC } from "../cli/__tests__/fixtures/sweep-grid.ts";

const stall = Number(process.argv[process.argv.indexOf("--stall-seconds") + 1] ?? 4) || 4;

async function sweep(workers: number, killOne: boolean): Promise<{ seconds: number; detect: number | null }> {
  const redis = await TestRedis.start();
  const dir = workspace();
  writeFileSync(join(dir, "spec.adapt"), SPEC);
  const t0 = performance.now();
  const submit = new Adapt(dir, ["sweep", "spec.adapt", "--backend", "cpu", "--queue", redis.url]);
  await submit.until(/queued 4 points/);
  const ws = Array.from(
    { length: workers },
    () => new Adapt(dir, ["worker", "--queue", redis.url, "--stall-seconds", String(stall)]),
  );
  let detect: number | null = null;
  if (killOne) {
    const victim = await Promise.race(ws.map((w) => w.until(/: start  /).then(() => w)));
    const killedAt = performance.now();
    victim.proc.kill("SIGKILL");
    const others = ws.filter((w) => w !== victim);
    await Promise.race(others.map((w) => w.until(/: resume /)));
    detect = (performance.now() - killedAt) / 1000;
  }
  const end = await submit.exited;
  const seconds = (performance.now() - t0) / 1000;
  for (const w of ws) if (w.proc.exitCode === null) w.proc.kill("SIGINT");
  await Promise.all(ws.map((w) => w.exited));
  await redis.stop();
  if (end.code !== 0) throw new Error(`the sweep failed:\n${submit.stderr}`);
  return { seconds, detect };
}

async function main(): Promise<void> {
  const missing = redisMissing();
  if (missing) return void console.log(missing);
  const rows: { workers: number; seconds: number; load: number }[] = [];
  for (const n of [1, 2, 3]) {
    const load = loadavg()[0]!;
    rows.push({ workers: n, load, seconds: (await sweep(n, false)).seconds });
  }
  const one = rows[0]!.seconds;
  for (const r of rows)
    console.log(
      `${r.workers} worker(s): 4 points in ${r.seconds.toFixed(1)} s = ${((4 / r.seconds) * 60).toFixed(2)} points/min, ${(one / r.seconds).toFixed(2)}x one worker (load average ${r.load.toFixed(1)} on ${(await import("node:os")).cpus().length} cores)`,
    );
  const k = await sweep(3, true);
  console.log(
    `kill -9 of one of 3 workers: another resumed its point ${k.detect?.toFixed(1)} s later (--stall-seconds ${stall}); the sweep took ${k.seconds.toFixed(1)} s`,
  );
}

await main();
