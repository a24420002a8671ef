/**
 * `selectBackend`: brings up the backend `--backend` asks for. `auto` tries, best first: tensorflow with
 * CUDA, WebGPU on a real (hardware) adapter, tensorflow on the CPU, wasm, then the pure-JS cpu backend,
 * and says why each better one was not taken. A forced backend that is unavailable is a coded error.
 */
import * as tf from "@tensorflow/tfjs";
import { FILE_START, diag, type Diagnostic, type StageResult } from "../../compiler/diagnostics/diagnostic.ts";
import { didYouMean, orList } from "../../compiler/diagnostics/suggest.ts";
import { TENSORFLOW_BUILDS, tryTensorflow } from "./tensorflow.ts";
import {
  BACKEND_PREFERENCES,
  type Attempt,
  type BackendChoice,
  type BackendName,
  type BackendPreference,
  type SelectOptions,
} from "./types.ts";
import { tryWasm } from "./wasm.ts";
import { tryWebgpu } from "./webgpu.ts";

interface Candidate {
  readonly name: BackendName;
  readonly label: string;
  readonly attempt: () => Promise<Attempt>;
}

const [CUDA, TF_CPU] = TENSORFLOW_BUILDS;

async function tryCpu(): Promise<Attempt> {
  await tf.setBackend("cpu");
  return { ok: true, detail: "pure JavaScript" };
}

function candidates(preference: BackendPreference, options: SelectOptions): Candidate[] {
  const tfs: Candidate[] =
    options.skipTensorflow === true
      ? []
      : [
          { name: "tensorflow", label: CUDA.label, attempt: () => tryTensorflow(CUDA) },
          { name: "tensorflow", label: TF_CPU.label, attempt: () => tryTensorflow(TF_CPU) },
        ];
  const webgpu = (soft: boolean): Candidate => ({ name: "webgpu", label: "webgpu", attempt: () => tryWebgpu(soft) });
  const wasm: Candidate = { name: "wasm", label: "wasm", attempt: () => tryWasm() };
  const cpu: Candidate = { name: "cpu", label: "cpu", attempt: tryCpu };
  switch (preference) {
    case "auto":
      return [...tfs.slice(0, 1), webgpu(options.allowSoftwareGpu === true), ...tfs.slice(1), wasm, cpu];
    case "tensorflow":
      return tfs;
    case "webgpu":
      return [webgpu(true)];
    case "wasm":
      return [wasm];
    case "cpu":
      return [cpu];
  }
}

/** True when `s` is a value `--backend` accepts. */
export function isBackendPreference(s: string): s is BackendPreference {
  return (BACKEND_PREFERENCES as readonly string[]).includes(s);
}

/**
 * Makes the backend `preference` names the active tfjs backend. The value is the choice, or undefined
 * with an ADAPT94x error when a forced backend (or, for `auto`, every backend) is unavailable.
 */
export async function selectBackend(
  preference: string,
  options: SelectOptions = {},
): Promise<StageResult<BackendChoice | undefined>> {
  if (!isBackendPreference(preference)) {
    const help = didYouMean(preference, BACKEND_PREFERENCES) ?? `use one of ${orList(BACKEND_PREFERENCES)}`;
    return {
      value: undefined,
      diagnostics: [diag("ADAPT940", FILE_START, `unknown backend \`${preference}\``, { help })],
    };
  }
  const reasons: string[] = [];
  let last: Diagnostic | undefined;
  for (const c of candidates(preference, options)) {
    const a = await c.attempt();
    if (a.ok) return { value: { name: c.name, detail: a.detail, reasons }, diagnostics: [] };
    reasons.push(`${c.label}: ${a.reason}`);
    last = diag(a.code, FILE_START, `backend \`${preference}\` is not available: ${a.reason}`, { help: a.help });
  }
  const notes = reasons.length > 1 ? reasons : [];
  return {
    value: undefined,
    diagnostics: last === undefined ? [] : [{ ...last, ...(notes.length > 0 ? { notes } : {}) }],
  };
}

/** The lines a run starts with: the backend taken and why better ones were not. */
export function describeChoice(choice: BackendChoice): string[] {
  return [`backend: ${choice.name} (${choice.detail})`, ...choice.reasons.map((r) => `  not ${r}`)];
}
