/**
 * bench/startup: the wall time of `adapt --version`, `adapt check` and `adapt explain` of the bundled
 * example through bin/adapt.js (the compiled CLI in dist/), against `node -e 0` and against the same
 * commands run from the TypeScript sources through tsx (how the CLI started before dist/). Each round runs
 * every row once, in turn, so that load on the machine falls on all rows alike; prints the median and the
 * difference and ratio to node's own start, and the goals (--version within 0.1 s of node, check under
 * 0.4 s, explain under 1 s). Run: `npx tsx bench/startup.ts [rounds]` (default 9) after `npm ci`.
 */
import { spawnSync } from "node:child_process";
import { cpus, loadavg } from "node:os";
import { readFileSync } from "node:fs";
import { join } from "node:path";

const ROOT = join(import.meta.dirname, "..");
const ROUNDS = Number(process.argv[2] ?? 9);
const SPEC = "examples/sentiment/houlsby.adapt";
const TSX =
  'import { register } from "tsx/esm/api"; register(); const { main } = await import("./cli/main.ts"); process.exitCode = await main(process.argv.slice(1));';

/** One measured command: its label, its argv after `node`, and the goal in seconds (over node's start when relative). */
interface Row {
  label: string;
  argv: string[];
  goal?: { seconds: number; relative: boolean };
}

const ROWS: Row[] = [
  { label: "node -e 0", argv: ["-e", "0"] },
  { label: "adapt --version", argv: ["bin/adapt.js", "--version"], goal: { seconds: 0.1, relative: true } },
  { label: "adapt check", argv: ["bin/adapt.js", "check", SPEC], goal: { seconds: 0.4, relative: false } },
  { label: "adapt explain", argv: ["bin/adapt.js", "explain", SPEC], goal: { seconds: 1, relative: false } },
  { label: "tsx: adapt --version", argv: ["--input-type=module", "-e", TSX, "--", "--version"] },
  { label: "tsx: adapt check", argv: ["--input-type=module", "-e", TSX, "--", "check", SPEC] },
  { label: "tsx: adapt explain", argv: ["--input-type=module", "-e", TSX, "--", "explain", SPEC] },
];

/** CPU seconds (user + system) of this process's waited-for children, from /proc (Linux); null elsewhere. */
function childrenCpu(): number | null {
  try {
    const fields = readFileSync("/proc/self/stat", "utf8").split(") ")[1]!.split(" ");
    return (Number(fields[13]) + Number(fields[14])) / 100;
  } catch {
    return null;
  }
}

/** Runs `node ARGV` once: wall seconds and CPU seconds (null when unknown). */
function once(argv: string[]): { wall: number; cpu: number | null } {
  const c0 = childrenCpu();
  const t0 = performance.now();
  const r = spawnSync(process.execPath, argv, { cwd: ROOT, encoding: "utf8", env: { ...process.env, NO_COLOR: "1" } });
  const wall = (performance.now() - t0) / 1000;
  const c1 = childrenCpu();
  if (r.status !== 0) throw new Error(`node ${argv.join(" ")} exited ${r.status}: ${r.stderr}`);
  return { wall, cpu: c0 === null || c1 === null ? null : c1 - c0 };
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

once(["bin/adapt.js", "--version"]);
const walls = ROWS.map(() => [] as number[]);
const cpu = ROWS.map(() => [] as number[]);
for (let r = 0; r < ROUNDS; r++) {
  ROWS.forEach((row, i) => {
    const t = once(row.argv);
    walls[i]!.push(t.wall);
    if (t.cpu !== null) cpu[i]!.push(t.cpu);
  });
}
const node = median(walls[0]!);
const nodeCpu = cpu[0]!.length > 0 ? median(cpu[0]!) : null;
console.log(
  `${ROUNDS} rounds; load average ${loadavg()
    .map((l) => l.toFixed(2))
    .join(" ")} on ${cpus().length} cores (wall time grows with load; CPU time much less)`,
);
console.log(
  `${"command".padEnd(22)} ${"wall s".padStart(7)} ${"- node".padStart(7)} ${"x node".padStart(7)} ${"cpu s".padStart(6)} ${"x node".padStart(7)}  goal (wall)`,
);
ROWS.forEach((row, i) => {
  const m = median(walls[i]!);
  const c = cpu[i]!.length > 0 ? median(cpu[i]!) : null;
  const g = row.goal;
  const goal =
    g === undefined
      ? ""
      : `${g.relative ? `node + ${g.seconds}` : `< ${g.seconds}`} s: ${(g.relative ? m - node : m) <= g.seconds ? "met" : "NOT met"}`;
  const cpuCols =
    c === null || nodeCpu === null
      ? `${"-".padStart(6)} ${"-".padStart(7)}`
      : `${c.toFixed(2).padStart(6)} ${(c / Math.max(nodeCpu, 0.01)).toFixed(2).padStart(7)}`;
  console.log(
    `${row.label.padEnd(22)} ${m.toFixed(3).padStart(7)} ${(m - node).toFixed(3).padStart(7)} ${(m / node).toFixed(2).padStart(7)} ${cpuCols}  ${goal}`,
  );
});
