/**
 * `adapt report DIR [-o OUTDIR] [--baseline SERIES]`: from sweep folders (DIR, or DIR's subfolders, one
 * per task), `report.md` with the selected configuration of every variant and a summary by series
 * across tasks, `<task>.tradeoff.svg` (the metric against trained parameters on a log axis) and
 * `<task>.curves.svg` (training loss and validation metric of the selected runs), all in OUTDIR (default
 * DIR). Nothing is written when an input has errors; every file is written atomically. The same input
 * gives byte-identical files. Everything of the report (vega above all) is loaded only when it runs.
 */
import { mkdirSync } from "node:fs";
import { join, resolve } from "node:path";
import { hasErrors } from "../../compiler/diagnostics/diagnostic.ts";
import { renderAll } from "../../compiler/diagnostics/render.ts";
import { parseFlags } from "../args.ts";
import { EXIT, UsageError, type Command } from "../command.ts";
import { reason, writeAtomic } from "../files.ts";

/** The `report` command. */
export const reportCommand: Command = {
  name: "report",
  summary: "a Markdown report and SVG figures (trade-off, training curves) from sweep folders",
  usage: "adapt report DIR [-o OUTDIR] [--baseline SERIES]",
  run: async (args, io) => {
    const spec = { output: { type: "string", short: "o" }, baseline: { type: "string" } } as const;
    const { flags, positionals } = parseFlags(args, spec, ["DIR"]);
    const outArg = (flags["output"] as string | undefined) ?? positionals[0]!;
    if (outArg === "") throw new UsageError("-o needs a folder name");
    const baseline = (flags["baseline"] as string | undefined) ?? "full";
    const { readLogs, readSweeps } = await import("./report-read.ts");
    const read = readSweeps(positionals[0]!, io.cwd);
    if (hasErrors(read.diagnostics)) {
      io.stderr(renderAll(read.diagnostics, read.sources, { color: io.color }));
      return EXIT.inputErrors;
    }
    const { buildReport } = await import("../../report/model.ts");
    const { renderMarkdown, figureFiles, SUMMARY_FIGURE } = await import("../../report/markdown.ts");
    const { curvesFigure, summaryFigure, tradeoffFigure } = await import("../../report/figures.ts");
    const { drawCurves, drawTradeoff } = await import("../../report/plot.ts");
    const model = buildReport(read.tasks, baseline);
    const files = new Map<string, string>([["report.md", renderMarkdown(model)]]);
    const across = model.series.some((s) => s.gap !== null) ? summaryFigure(model) : null;
    if (across !== null) files.set(SUMMARY_FIGURE, (await drawTradeoff(across)).svg);
    for (const task of model.tasks) {
      const logs = readLogs(task, read.dirs.get(task.name)!, io.cwd, read);
      const names = figureFiles(task.name);
      files.set(names.tradeoff, (await drawTradeoff(tradeoffFigure(task, baseline))).svg);
      files.set(names.curves, (await drawCurves(curvesFigure(task, logs))).svg);
    }
    io.stderr(renderAll(read.diagnostics, read.sources, { color: io.color }));
    const outDir = resolve(io.cwd, outArg);
    try {
      mkdirSync(outDir, { recursive: true });
    } catch (e) {
      throw new UsageError(`cannot create folder \`${outArg}\`: ${reason(e)}`);
    }
    for (const [name, text] of files) writeAtomic(join(outDir, name), text);
    io.stderr(
      `wrote ${join(outArg, "report.md")} and ${files.size - 1} figures (${model.tasks.length} ${model.tasks.length === 1 ? "task" : "tasks"})\n`,
    );
    return EXIT.ok;
  },
};
