/**
 * The messages between the playground page and its two workers: the checker (compiler only, on every
 * edit) and the trainer (tfjs and the runtime's training session, loaded when the user trains).
 */
import type { TrainEvent } from "../../runtime/train/trainer.ts";

/** The folder the spec and the user's files live in, inside the page. */
export const WORKSPACE = "/workspace";

/** A diagnostic placed in the editor: offsets into the spec text. */
export interface EditorMark {
  readonly from: number;
  readonly to: number;
  readonly severity: "error" | "warning" | "note";
  readonly message: string;
}

/** One layer of the model tree, with what the spec does to it. */
export interface LayerView {
  readonly path: string;
  readonly className: string;
  readonly params: number;
  /** Adapter sites at this layer: id, adapter, position, parameters and the spec line. */
  readonly sites: readonly { id: string; adapter: string; position: string; params: number; line: number }[];
  /** Trainable base weights of this layer, with the rule line that decided it (null: default). */
  readonly trained: readonly { name: string; params: number; line: number | null }[];
}

/** What the checker found for one version of the spec. */
export interface CheckResult {
  readonly type: "checked";
  readonly id: number;
  readonly marks: readonly EditorMark[];
  /** The diagnostics as `adapt check` prints them (no colour); "" when there are none. */
  readonly rendered: string;
  readonly errors: number;
  /** The model's layers (null when the model could not be read). */
  readonly layers: readonly LayerView[] | null;
  readonly modelPath: string | null;
  /** `adapt explain`'s totals line and whole report (null when the spec does not compile). */
  readonly totals: string | null;
  readonly trainable: number | null;
  readonly explain: string | null;
}

/** Page to checker. */
export type CheckRequest =
  | { readonly type: "files"; readonly files: Readonly<Record<string, string>> }
  | { readonly type: "check"; readonly id: number; readonly text: string; readonly file: string };

/** A file handed to the trainer: its path in the workspace and its bytes. */
export interface WorkspaceFile {
  readonly path: string;
  readonly bytes: ArrayBuffer;
}

/** Page to trainer. */
export type TrainRequest =
  | {
      readonly type: "train";
      readonly text: string;
      readonly file: string;
      readonly files: readonly WorkspaceFile[];
      /** "auto", "webgpu", "webgl" or "wasm". */
      readonly backend: string;
      /** Where tfjs-backend-wasm's .wasm files are served (a folder URL). */
      readonly wasmBase: string;
    }
  | { readonly type: "stop" };

/** One line of the backend choice: a backend and why it was taken or passed over. */
export interface BackendLine {
  readonly name: string;
  readonly ok: boolean;
  readonly detail: string;
}

/** Trainer to page. */
export type TrainReply =
  | { readonly type: "phase"; readonly text: string }
  | { readonly type: "backend"; readonly name: string; readonly lines: readonly BackendLine[] }
  | { readonly type: "event"; readonly event: TrainEvent }
  | { readonly type: "diagnostics"; readonly rendered: string; readonly errors: number }
  | {
      readonly type: "done";
      readonly status: string;
      readonly test: Readonly<Record<string, number>> | null;
      readonly outDir: string;
      /** The plan's test file as the spec names it (null when it has none). */
      readonly testData: string | null;
      readonly outputs: readonly { name: string; bytes: ArrayBuffer }[];
      readonly seconds: number;
      readonly steps: number;
    };
