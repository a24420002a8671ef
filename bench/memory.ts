/**
 * bench/memory: the bundled example's whole `adapt run` (1 epoch, validation, test), side by side in one
 * sitting: `adapt` on wasm and, when built (scripts/native-backend), on the native backend, against the
 * PyTorch + AdapterHub `adapters` peer (bench/peer.py, when a Python with torch is given). Prints for each:
 * training seconds (steps only, from the CLI's summary), evaluation seconds, peak RSS (the process's
 * high-water mark, read from /proc while it runs), test accuracy and the whole process's CPU seconds
 * (user + system over all its threads, read from /proc as it runs: on a machine shared with other jobs
 * this holds up where wall time does not); then the ratios to the peer. A
 * backend `wasm:N` runs wasm with N threads (`ADAPT_WASM_THREADS`; `wasm:1` is the single-threaded
 * build); plain `wasm` takes the default, one thread per core; `wasm/xnnpack` (also with `:N`) leaves the
 * products to XNNPACK (`ADAPT_WASM_GEMM=off`) instead of adapt's dense kernel, and `wasm/unfused` runs
 * that kernel without fused multiply-adds (`ADAPT_WASM_FMA=off`). This is the comparison table of the
 * peer: `npx tsx bench/memory.ts --python /work/venv-peer/bin/python --backends
 * tensorflow,wasm,wasm/unfused,wasm/xnnpack,wasm:1`.
 * Usage: `npx tsx bench/memory.ts [--python PYTHON] [--backends wasm,tensorflow] [--threads 2] [--against DIR]`
 * (--threads: the peer's torch threads). Each `adapt` run writes into a temporary copy of the
 * example's folder. `--against DIR` also runs another checkout's `bin/adapt.js` (e.g. an older commit,
 * unpacked with `git archive` beside a link to this node_modules) before each backend's row: before/after
 * in one sitting.
 */
import { spawn } from "node:child_process";
import { cpSync, mkdtempSync, readFileSync, symlinkSync } from "node:fs";
import { cpus, loadavg, tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";

const ROOT = join(import.meta.dirname, "..");
const EXAMPLE = join(ROOT, "examples/sentiment");
const { values } = parseArgs({
  options: {
    python: { type: "string" },
    backends: { type: "string", default: "wasm,tensorflow" },
    threads: { type: "string", default: "2" },
    against: { type: "string" },
  },
});

/** One finished run: what the table shows. */
interface Row {
  name: string;
  trainS: number | null;
  evalS: number | null;
  peakMb: number;
  accuracy: number | null;
  cpuS: number;
  note?: string;
}

/** User + system CPU seconds of process `pid` so far (all its threads), or undefined once it is gone. */
function cpuSeconds(pid: number | undefined): number | undefined {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.split(" ");
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return undefined;
  }
}

/**
 * Runs a command, polling its peak RSS (VmHWM) and its CPU time from /proc; resolves with its output,
 * the peak in MB and the CPU seconds (as of the last poll, at most 50 ms before it exited).
 */
function measured(
  cmd: string,
  args: string[],
  cwd: string,
  env: Record<string, string> = {},
): Promise<{ code: number | null; out: string; err: string; peakMb: number; cpuS: number }> {
  return new Promise((done) => {
    const child = spawn(cmd, args, { cwd, env: { ...process.env, NO_COLOR: "1", ...env } });
    let out = "";
    let err = "";
    let peak = 0;
    let cpu = 0;
    child.stdout.on("data", (d: Buffer) => void (out += d.toString()));
    child.stderr.on("data", (d: Buffer) => void (err += d.toString()));
    const poll = setInterval(() => {
      try {
        const kb = /VmHWM:\s+(\d+)/.exec(readFileSync(`/proc/${child.pid}/status`, "utf8"))?.[1];
        if (kb !== undefined) peak = Math.max(peak, Number(kb) / 1024);
        cpu = cpuSeconds(child.pid) ?? cpu;
      } catch {
        /* exited */
      }
    }, 50);
    child.on("close", (code) => {
      clearInterval(poll);
      done({ code, out, err, peakMb: peak, cpuS: cpu });
    });
  });
}

/** A scratch copy of the example: the spec copied, model and data linked. */
function scratch(): string {
  const dir = mkdtempSync(join(tmpdir(), "adapt-bench-memory-"));
  cpSync(join(EXAMPLE, "houlsby.adapt"), join(dir, "houlsby.adapt"));
  symlinkSync(join(EXAMPLE, "model"), join(dir, "model"));
  symlinkSync(join(EXAMPLE, "data"), join(dir, "data"));
  return dir;
}

/** Seconds from the CLI's `12.3s`, `4m05s` or `1h02m`. */
function duration(text: string): number {
  const m = /^(?:(\d+)h)?(?:(\d+)m)?(?:([\d.]+)s)?$/.exec(text);
  return m === null ? NaN : Number(m[1] ?? 0) * 3600 + Number(m[2] ?? 0) * 60 + Number(m[3] ?? 0);
}

/** The wasm variants a backend's `/name` asks for: their environment and their label's tail. */
const VARIANTS: Readonly<Record<string, { env: Record<string, string>; label: string }>> = {
  "": { env: {}, label: "" },
  xnnpack: { env: { ADAPT_WASM_GEMM: "off" }, label: ", products on XNNPACK" },
  unfused: { env: { ADAPT_WASM_FMA: "off" }, label: ", products unfused" },
};

async function adaptRow(spec: string, root = ROOT): Promise<Row> {
  const [asked, threads] = spec.split(":") as [string, string | undefined];
  const [backend, variant] = asked.split("/") as [string, string | undefined];
  const chosen = VARIANTS[variant ?? ""];
  if (chosen === undefined) throw new Error(`unknown variant /${variant} in ${spec}: /xnnpack or /unfused`);
  const { env: variantEnv, label: variantLabel } = chosen;
  const dir = scratch();
  const r = await measured(
    process.execPath,
    [join(root, "bin/adapt.js"), "run", "houlsby.adapt", "--backend", backend],
    dir,
    {
      ...(threads === undefined ? {} : { ADAPT_WASM_THREADS: threads }),
      ...variantEnv,
    },
  );
  const threadsLabel = threads === undefined ? "" : ` (${threads} thread${threads === "1" ? "" : "s"})`;
  const label = `${backend}${threadsLabel}${variantLabel}`;
  const name = root === ROOT ? `adapt, ${label}` : `adapt at ${root}, ${label}`;
  if (r.code !== 0)
    return {
      name,
      trainS: null,
      evalS: null,
      peakMb: r.peakMb,
      cpuS: r.cpuS,
      accuracy: null,
      note: r.err.trim().split("\n").slice(-3).join(" | "),
    };
  const train = /training: (\S+) for/.exec(r.err)?.[1];
  const evals = /evaluation: (\S+) validation, (\S+) test/.exec(r.err);
  const acc = /test: accuracy ([\d.]+)/.exec(r.err)?.[1];
  const seconds = train === undefined ? null : duration(train);
  const backendLine = /backend: (.*)/.exec(r.err)?.[1];
  return {
    name,
    trainS: seconds,
    evalS: evals ? duration(evals[1]!) + duration(evals[2]!) : null,
    peakMb: r.peakMb,
    cpuS: r.cpuS,
    accuracy: acc === undefined ? null : Number(acc),
    note: backendLine,
  };
}

async function peerRow(python: string): Promise<Row> {
  const r = await measured(python, [join(ROOT, "bench/peer.py"), "--threads", values.threads!], ROOT);
  if (r.code !== 0)
    return {
      name: "PyTorch + adapters",
      trainS: null,
      evalS: null,
      peakMb: r.peakMb,
      cpuS: r.cpuS,
      accuracy: null,
      note: r.err.trim().split("\n").slice(-2).join(" | "),
    };
  const j = JSON.parse(r.out.trim().split("\n").pop()!) as {
    train_s: number;
    eval_s: number;
    test_accuracy: number;
    torch: string;
    adapters: string;
    threads: number;
  };
  return {
    name: "PyTorch + adapters",
    trainS: j.train_s,
    evalS: j.eval_s,
    peakMb: r.peakMb,
    cpuS: r.cpuS,
    accuracy: j.test_accuracy,
    note: `torch ${j.torch}, adapters ${j.adapters}, ${j.threads} threads`,
  };
}

const fmt = (x: number | null, d = 1): string => (x === null ? "-" : x.toFixed(d));
const rows: Row[] = [];
const load = [loadavg()];
/** Runs one row and reports it on stderr as it finishes (a long sitting shows its progress). */
async function add(row: Promise<Row>): Promise<void> {
  const r = await row;
  rows.push(r);
  process.stderr.write(
    `${r.name}: training ${fmt(r.trainS)} s, evaluation ${fmt(r.evalS)} s, peak ${r.peakMb.toFixed(0)} MB, accuracy ${r.accuracy ?? "-"}, CPU ${r.cpuS.toFixed(1)} s, load ${loadavg()[0]!.toFixed(1)}\n`,
  );
}
if (values.python) await add(peerRow(values.python));
for (const b of values.backends!.split(",").filter((s) => s !== "")) {
  if (values.against !== undefined) await add(adaptRow(b, resolve(values.against)));
  await add(adaptRow(b));
}
load.push(loadavg());
const peer = rows.find((r) => r.name.startsWith("PyTorch") && r.trainS !== null);
const ratio = (a: number | null, b: number | null | undefined): string =>
  a === null || b == null ? "" : ` (${(a / b).toFixed(2)}x)`;
console.log(`load average ${load.map((l) => l[0]!.toFixed(1)).join(" -> ")} on ${cpus().length} cores`);
console.log("| | training time | evaluation | peak RSS | test accuracy | CPU time (whole run) |");
console.log("|---|---|---|---|---|---|");
for (const r of rows) {
  const acc = r.accuracy === null ? "-" : `${(100 * r.accuracy).toFixed(2)}%`;
  console.log(
    `| ${r.name} | ${fmt(r.trainS)} s${ratio(r.trainS, peer?.trainS)} | ${fmt(r.evalS)} s${ratio(r.evalS, peer?.evalS)} | ${(r.peakMb / 1024).toFixed(2)} GB${ratio(r.peakMb, peer?.peakMb)} | ${acc} | ${fmt(r.cpuS)} s${ratio(r.cpuS, peer?.cpuS)} |`,
  );
}
for (const r of rows) if (r.note) console.log(`${r.name}: ${r.note}`);
