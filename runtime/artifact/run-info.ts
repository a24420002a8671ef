/** `run.json`, the facts inference needs beside an artifact (no imports: the CLI reads it without tfjs). */

/** The facts inference needs beyond the weights (`run.json` beside the artifact). */
export interface RunInfo {
  readonly labelNames: string[];
  readonly task: { kind: "classifier" | "regression"; classes: number };
  readonly maxLength: number;
  readonly metrics: string[];
  readonly batch: number;
  /** The base model's model.json: absolute, or relative to the artifact's folder. */
  readonly baseModel: string;
  readonly text: string;
  readonly textPair: string | null;
  readonly label: string;
}

/** The file beside the artifact with the run facts inference needs. */
export const RUN_INFO = "run.json";
