/** A live chart of the training loss per step and the validation metrics per epoch, drawn on a canvas. */

/** The points the chart draws. */
export interface ChartData {
  totalSteps: number;
  readonly losses: { step: number; loss: number }[];
  readonly evals: { step: number; value: number; label: string }[];
}

/** An empty chart's data. */
export function emptyChart(): ChartData {
  return { totalSteps: 1, losses: [], evals: [] };
}

/** Draws `data` on `canvas`: loss on the left axis, metric values (0..1) on the right. */
export function drawChart(canvas: HTMLCanvasElement, data: ChartData): void {
  const ctx = canvas.getContext("2d");
  if (ctx === null) return;
  const w = canvas.width;
  const h = canvas.height;
  const pad = { l: 48, r: 44, t: 12, b: 24 };
  ctx.clearRect(0, 0, w, h);
  ctx.font = "11px system-ui, sans-serif";
  ctx.strokeStyle = "#ccd";
  ctx.strokeRect(pad.l, pad.t, w - pad.l - pad.r, h - pad.t - pad.b);
  const maxLoss = Math.max(1e-6, ...data.losses.map((p) => p.loss));
  const x = (step: number): number => pad.l + ((w - pad.l - pad.r) * step) / Math.max(1, data.totalSteps);
  const yLoss = (v: number): number => pad.t + (h - pad.t - pad.b) * (1 - v / maxLoss);
  const yMetric = (v: number): number => pad.t + (h - pad.t - pad.b) * (1 - v);
  ctx.fillStyle = "#556";
  ctx.fillText(maxLoss.toPrecision(3), 4, pad.t + 8);
  ctx.fillText("0", 4, h - pad.b);
  ctx.fillText("loss", 4, h / 2);
  ctx.fillText("1.0", w - pad.r + 6, pad.t + 8);
  ctx.fillText("acc", w - pad.r + 6, h / 2);
  ctx.fillText(`step ${data.totalSteps}`, w - pad.r - 50, h - 6);
  ctx.strokeStyle = "#2563eb";
  ctx.lineWidth = 1.5;
  ctx.beginPath();
  data.losses.forEach((p, i) =>
    i === 0 ? ctx.moveTo(x(p.step), yLoss(p.loss)) : ctx.lineTo(x(p.step), yLoss(p.loss)),
  );
  ctx.stroke();
  ctx.fillStyle = "#16a34a";
  for (const p of data.evals) {
    ctx.beginPath();
    ctx.arc(x(p.step), yMetric(p.value), 4, 0, 2 * Math.PI);
    ctx.fill();
  }
  const latest = data.evals.at(-1);
  if (latest !== undefined) {
    const y = yMetric(latest.value);
    ctx.textAlign = "right";
    ctx.fillText(`${latest.label} ${latest.value.toFixed(3)}`, x(latest.step) - 8, y < pad.t + 16 ? y + 16 : y - 6);
    ctx.textAlign = "left";
  }
  ctx.fillStyle = "#2563eb";
  const lastLoss = data.losses.at(-1);
  if (lastLoss !== undefined) ctx.fillText(`loss ${lastLoss.loss.toFixed(4)}`, pad.l + 6, h - pad.b - 6);
}
