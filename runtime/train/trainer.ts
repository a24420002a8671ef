/**
 * The training loop of `adapt run`: epochs of length-bucketed batches in a seeded order, the learning
 * rate schedule, evaluation after each epoch, `select best by`, early stopping, checkpoints every N
 * steps and at each epoch's end, `--resume` from the last checkpoint (bit-identical to an uninterrupted
 * run), a stop request (Ctrl-C) that saves first, and a coded error on a non-finite loss.
 */
import { join } from "node:path";
import * as tf from "@tensorflow/tfjs";
import { diag, FILE_START, type Diagnostic, type StageResult } from "../../compiler/diagnostics/diagnostic.ts";
import type { TrainingPlanIR } from "../../compiler/ir/types.ts";
import { sha256 } from "../../compiler/lower/sha256.ts";
import { files } from "../io/files.ts";
import type { TaskShape } from "../data/load.ts";
import { padBatch, trainingOrder, type Padding } from "../tokenize/batches.ts";
import { loadCheckpoint, saveCheckpoint } from "./checkpoint.ts";
import { evaluate, type EncodedSplit } from "./evaluate.ts";
import { inputRoles, outputsProbabilities } from "./feed.ts";
import { Optimizer } from "./optimizer.ts";
import { derive, mulberry32 } from "./prng.ts";
import { learningRate } from "./schedule.ts";
import { trainableVariables, trainStep, type StepContext } from "./step.ts";
import { evaluationRunner, frozenRunner, type FrozenOptions, type FrozenPrefixRunner } from "./frozen-cache.ts";
import { settleDevice, takeDeviceError } from "../backend/device.ts";
import { bytesText } from "../io/read-policy.ts";

/** What the loop reports as it goes (the CLI draws progress from these). */
export type TrainEvent =
  | { type: "start"; totalSteps: number; stepsPerEpoch: number; resumedAt: number; trainable: number }
  | {
      type: "step";
      epoch: number;
      step: number;
      globalStep: number;
      totalSteps: number;
      loss: number;
      lr: number;
      examplesPerSec: number;
      etaSec: number;
    }
  | { type: "eval"; epoch: number; split: string; metrics: Record<string, number>; best: boolean; seconds: number }
  | { type: "checkpoint"; path: string; globalStep: number };

/** The best evaluation so far. */
export interface BestRecord {
  readonly value: number;
  readonly epoch: number;
  readonly globalStep: number;
  readonly metrics: Record<string, number>;
}

/** The loop's resumable state (stored in checkpoints). */
export interface LoopState {
  epoch: number;
  batchInEpoch: number;
  globalStep: number;
  optimizerStep: number;
  best: BestRecord | null;
  badEvals: number;
  stoppedEarly: boolean;
}

/** Everything the loop needs. */
export interface TrainerOptions {
  readonly model: tf.LayersModel;
  readonly task: TaskShape;
  readonly plan: TrainingPlanIR;
  readonly train: EncodedSplit;
  readonly validation: EncodedSplit | null;
  readonly padding: Padding;
  readonly outDir: string;
  readonly resume: boolean;
  readonly onEvent?: (e: TrainEvent) => void;
  /** Polled after each step; true stops the run after saving a checkpoint (Ctrl-C). */
  readonly shouldStop?: () => boolean;
  /** The compiler's frozen prefix (layers 0..k-1 train nothing) and how to cache its output. */
  readonly frozen?: FrozenOptions;
}

/** Where this process's run spent its time: training steps apart from evaluations (and checkpoints). */
export interface LoopTiming {
  /** Seconds in training steps (forward, backward, update), and the steps they made. */
  trainSeconds: number;
  steps: number;
  /** Seconds in evaluations between epochs. */
  evalSeconds: number;
}

/** How the loop ended. */
export interface TrainResult {
  readonly status: "done" | "interrupted" | "failed";
  readonly state: LoopState;
  readonly checkpoint: string;
  readonly timing: LoopTiming;
}

/** The paths the loop writes in the output folder. */
export function runPaths(outDir: string): { checkpoint: string; best: string; log: string } {
  return {
    checkpoint: join(outDir, "checkpoint.ckpt"),
    best: join(outDir, "best.ckpt"),
    log: join(outDir, "log.jsonl"),
  };
}

function fingerprintOf(vars: readonly tf.Variable[], plan: TrainingPlanIR, trainSize: number): string {
  const { output: _output, ...rest } = plan;
  const text = JSON.stringify({ vars: vars.map((v) => [v.name, v.shape]), plan: rest, trainSize });
  return sha256(text);
}

/** The values of variables, read asynchronously (webgpu cannot read synchronously). */
const readVars = (vars: readonly tf.Variable[]): Promise<Float32Array[]> =>
  Promise.all(vars.map((v) => v.data() as Promise<Float32Array>));

/** Lets signal handlers (Ctrl-C), timers and (in a browser worker) messages run between steps. */
const yieldToEvents = (): Promise<void> =>
  new Promise((done) => (typeof setImmediate === "function" ? setImmediate(done) : setTimeout(done, 0)));

const fail = (code: "ADAPT912" | "ADAPT913" | "ADAPT914" | "ADAPT945", msg: string, help?: string): Diagnostic =>
  diag(code, FILE_START, msg, { help });
const DEVICE_HELP = "the step's numbers cannot be trusted; run again with `--backend wasm` and report the message";

/** Trains the model per the plan. The model's weights end as the selected (best) or the last ones. */
export async function train(opts: TrainerOptions): Promise<StageResult<TrainResult | null>> {
  const roles = inputRoles(opts.model);
  if (roles.value === null) return { value: null, diagnostics: roles.diagnostics };
  const plan = opts.plan;
  const vars = trainableVariables(opts.model);
  const optimizer = new Optimizer(plan.optimizer, vars);
  const ctx: StepContext = {
    model: opts.model,
    roles: roles.value,
    task: opts.task,
    probabilities: outputsProbabilities(opts.model),
    vars,
    optimizer,
    clipNorm: plan.clipNorm,
    seed: plan.seed,
  };
  const logLine = (r: Record<string, unknown>): void =>
    files().append(runPaths(opts.outDir).log, `${JSON.stringify({ time: new Date().toISOString(), ...r })}\n`);
  const prefix = opts.frozen
    ? frozenRunner(opts.model, roles.value, opts.train.encoded, opts.frozen, opts.outDir, logLine)
    : null;
  const evalPrefix = prefix && evaluationRunner(prefix, evaluatedSplit(plan), opts.validation?.encoded ?? null);
  try {
    const fingerprint = fingerprintOf(vars, plan, opts.train.labels.length);
    return await new Loop(opts, ctx, fingerprint, prefix, evalPrefix).run();
  } finally {
    if (evalPrefix !== prefix) evalPrefix?.close();
    prefix?.close();
    optimizer.dispose();
  }
}

/** The split evaluated after each epoch: the training one where the plan selects on it, else validation. */
const evaluatedSplit = (plan: TrainingPlanIR): "train" | "validation" =>
  plan.select?.split === "train" ? "train" : "validation";

class Loop {
  private readonly paths: ReturnType<typeof runPaths>;
  private readonly stepsPerEpoch: number;
  private readonly totalSteps: number;
  private state: LoopState = {
    epoch: 0,
    batchInEpoch: 0,
    globalStep: 0,
    optimizerStep: 0,
    best: null,
    badEvals: 0,
    stoppedEarly: false,
  };
  private readonly timing: LoopTiming = { trainSeconds: 0, steps: 0, evalSeconds: 0 };
  private lastEvalSeconds = 0;

  constructor(
    private readonly opts: TrainerOptions,
    private readonly ctx: StepContext,
    private readonly fingerprint: string,
    private readonly prefix: FrozenPrefixRunner | null = null,
    private readonly evalPrefix: FrozenPrefixRunner | null = null,
  ) {
    this.paths = runPaths(opts.outDir);
    this.stepsPerEpoch = Math.ceil(opts.train.labels.length / opts.plan.batch);
    this.totalSteps = this.stepsPerEpoch * opts.plan.epochs;
  }

  private log(record: Record<string, unknown>): void {
    files().append(this.paths.log, `${JSON.stringify({ time: new Date().toISOString(), ...record })}\n`);
  }

  private async save(): Promise<void> {
    this.state.optimizerStep = this.ctx.optimizer.step;
    const opt = await this.ctx.optimizer.getState();
    const weights = await readVars(this.ctx.vars);
    saveCheckpoint(this.paths.checkpoint, {
      fingerprint: this.fingerprint,
      state: this.state,
      arrays: [...weights, ...opt.slots],
    });
    this.opts.onEvent?.({ type: "checkpoint", path: this.paths.checkpoint, globalStep: this.state.globalStep });
  }

  private restore(): Diagnostic | null {
    const ck = loadCheckpoint<LoopState>(this.paths.checkpoint);
    if ("error" in ck) return fail("ADAPT914", ck.error, "run without --resume to start over");
    if (ck.fingerprint !== this.fingerprint) {
      return fail(
        "ADAPT914",
        "the checkpoint was written by a run with other trainable weights, data or plan",
        "run without --resume to start over",
      );
    }
    const n = this.ctx.vars.length;
    this.ctx.vars.forEach((v, i) => v.assign(tf.tensor(ck.arrays[i]!, v.shape, "float32")));
    if (!this.ctx.optimizer.setState({ step: ck.state.optimizerStep, slots: ck.arrays.slice(n) })) {
      return fail("ADAPT914", "the checkpoint's optimizer state does not fit this optimizer");
    }
    this.state = ck.state;
    this.log({ event: "resume", globalStep: this.state.globalStep });
    return null;
  }

  /**
   * Trains to the end. A full disk (ENOSPC, EDQUOT) while writing a checkpoint or the log stops the run
   * with ADAPT912: the atomic writes leave the last good checkpoint whole, and the message says how
   * much room a checkpoint needs.
   */
  async run(): Promise<StageResult<TrainResult | null>> {
    try {
      return await this.runLoop();
    } catch (e) {
      const code = (e as { code?: unknown } | null)?.code;
      if (code !== "ENOSPC" && code !== "EDQUOT") throw e;
      const need = this.ctx.vars.reduce((s, v) => s + v.size, 0) * 4 * 3 + (1 << 20);
      const msg = `the disk filled up at step ${this.state.globalStep}; a checkpoint needs about ${bytesText(need)} free in \`${this.opts.outDir}\``;
      const kept = files().exists(this.paths.checkpoint)
        ? `the last good checkpoint is kept at ${this.paths.checkpoint}; free space and run again with --resume`
        : "free space and run again";
      return { value: this.result("failed"), diagnostics: [fail("ADAPT912", msg, kept)] };
    }
  }

  private async runLoop(): Promise<StageResult<TrainResult | null>> {
    if (this.opts.resume) {
      const problem = this.restore();
      if (problem) return { value: null, diagnostics: [problem] };
    }
    const trainable = this.ctx.vars.reduce((s, v) => s + v.size, 0);
    this.opts.onEvent?.({
      type: "start",
      totalSteps: this.totalSteps,
      stepsPerEpoch: this.stepsPerEpoch,
      resumedAt: this.state.globalStep,
      trainable,
    });
    while (this.state.epoch < this.opts.plan.epochs && !this.state.stoppedEarly) {
      const outcome = await this.runEpoch();
      if (outcome !== null) return outcome;
    }
    this.restoreBest();
    this.log({ event: "end", globalStep: this.state.globalStep, best: this.state.best, timing: this.timing });
    return { value: this.result("done"), diagnostics: [] };
  }

  private result(status: TrainResult["status"]): TrainResult {
    return { status, state: this.state, checkpoint: this.paths.checkpoint, timing: this.timing };
  }

  private async runEpoch(): Promise<StageResult<TrainResult | null> | null> {
    const { plan, train } = this.opts;
    const order = trainingOrder(train.lengths, plan.batch, mulberry32(derive(plan.seed, "shuffle", this.state.epoch)));
    while (this.state.batchInEpoch < order.length) {
      const batch = padBatch(train.encoded, train.labels, order[this.state.batchInEpoch]!, this.opts.padding);
      const lr = learningRate(plan.schedule, plan.optimizer.lr, this.state.globalStep, this.totalSteps);
      const t0 = performance.now();
      const prepared = await this.prefix?.prepare(batch);
      const { loss, gradNorm } = await trainStep(this.ctx, batch, lr, this.state.globalStep, prepared?.forward).finally(
        () => prepared?.dispose(),
      );
      settleDevice();
      this.timing.trainSeconds += (performance.now() - t0) / 1000;
      this.timing.steps += 1;
      const fault = takeDeviceError();
      if (fault !== undefined) return this.deviceFault(fault, `at step ${this.state.globalStep + 1}`);
      if (!Number.isFinite(loss)) return this.nonFinite(loss);
      this.state.globalStep += 1;
      this.state.batchInEpoch += 1;
      this.log({
        event: "step",
        epoch: this.state.epoch + 1,
        step: this.state.globalStep,
        loss,
        lr,
        gradNorm,
        batch: batch.size,
        length: batch.length,
      });
      this.emitStep(loss, lr, batch.size);
      const every = plan.checkpointEvery;
      if (every !== null && this.state.globalStep % every === 0) await this.save();
      await yieldToEvents();
      if (this.opts.shouldStop?.()) {
        await this.save();
        return { value: this.result("interrupted"), diagnostics: [] };
      }
    }
    await this.endEpoch();
    const fault = takeDeviceError();
    return fault === undefined ? null : this.deviceFault(fault, `in the evaluation after epoch ${this.state.epoch}`);
  }

  /** A step event: the rate counts training steps only; the ETA adds the evaluations still to come. */
  private emitStep(loss: number, lr: number, size: number): void {
    const perStep = this.timing.steps > 0 ? this.timing.trainSeconds / this.timing.steps : 0;
    const evalsLeft = this.opts.plan.epochs - this.state.epoch;
    this.opts.onEvent?.({
      type: "step",
      epoch: this.state.epoch + 1,
      step: this.state.batchInEpoch,
      globalStep: this.state.globalStep,
      totalSteps: this.totalSteps,
      loss,
      lr,
      examplesPerSec: perStep > 0 ? size / perStep : 0,
      etaSec: perStep * (this.totalSteps - this.state.globalStep) + this.lastEvalSeconds * evalsLeft,
    });
  }

  private nonFinite(loss: number): StageResult<TrainResult | null> {
    const msg = `the loss became ${loss} at step ${this.state.globalStep + 1}`;
    return this.failed("ADAPT913", msg, "lower the learning rate or set `clip_norm`", { loss: String(loss) });
  }

  private deviceFault(fault: string, where: string): StageResult<TrainResult | null> {
    const msg = `the GPU device reported an error ${where}: ${fault}`;
    return this.failed("ADAPT945", msg, DEVICE_HELP, { message: fault });
  }

  private failed(
    code: "ADAPT913" | "ADAPT945",
    msg: string,
    help: string,
    record: Record<string, unknown>,
  ): StageResult<TrainResult | null> {
    this.log({ event: "error", code, globalStep: this.state.globalStep, ...record });
    const best = this.state.best
      ? `; the best checkpoint (epoch ${this.state.best.epoch}) is kept at ${this.paths.best}`
      : "";
    return { value: this.result("failed"), diagnostics: [fail(code, msg + best, help)] };
  }

  private async endEpoch(): Promise<void> {
    const { plan } = this.opts;
    const name = evaluatedSplit(plan);
    const split = name === "train" ? this.opts.train : this.opts.validation;
    const epoch = this.state.epoch + 1;
    if (split !== null) {
      const t0 = performance.now();
      const result = await evaluate(this.ctx, split, plan.metrics, plan.batch, this.opts.padding, this.evalPrefix);
      const seconds = (performance.now() - t0) / 1000;
      this.timing.evalSeconds += seconds;
      this.lastEvalSeconds = seconds;
      const improved = await this.updateBest(result.metrics, epoch);
      this.log({ event: "eval", epoch, split: name, metrics: result.metrics, best: improved, seconds });
      this.opts.onEvent?.({ type: "eval", epoch, split: name, metrics: result.metrics, best: improved, seconds });
    }
    this.state.epoch += 1;
    this.state.batchInEpoch = 0;
    await this.save();
  }

  private async updateBest(metrics: Record<string, number>, epoch: number): Promise<boolean> {
    const select = this.opts.plan.select;
    const metric = select?.metric ?? this.opts.plan.metrics[0] ?? "loss";
    const mode = select?.mode ?? (metric === "loss" ? "min" : "max");
    const value = metrics[metric] ?? NaN;
    const best = this.state.best;
    const delta = this.opts.plan.earlyStopping?.minDelta ?? 0;
    const better = best === null || (mode === "max" ? value > best.value + delta : value < best.value - delta);
    if (better) {
      this.state.best = { value, epoch, globalStep: this.state.globalStep, metrics };
      this.state.badEvals = 0;
      saveCheckpoint(this.paths.best, {
        fingerprint: this.fingerprint,
        state: this.state.best,
        arrays: await readVars(this.ctx.vars),
      });
    } else {
      this.state.badEvals += 1;
      const patience = this.opts.plan.earlyStopping?.patience;
      if (patience !== undefined && this.state.badEvals >= patience) this.state.stoppedEarly = true;
    }
    return better;
  }

  private restoreBest(): void {
    if (this.opts.plan.select === null || this.state.best === null) return;
    const ck = loadCheckpoint<BestRecord>(this.paths.best);
    if ("error" in ck) return;
    this.ctx.vars.forEach((v, i) => v.assign(tf.tensor(ck.arrays[i]!, v.shape, "float32")));
  }
}
