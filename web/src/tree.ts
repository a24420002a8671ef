/**
 * The model as a tree of its dotted layer paths. Layers an adapter is inserted at and layers with
 * trained base weights are marked with their parameters; those of the statement under the editor's
 * cursor are highlighted, and a folder shows how many sites it holds.
 */
import type { LayerView } from "./protocol.ts";

interface Node {
  readonly name: string;
  readonly children: Map<string, Node>;
  layer: LayerView | null;
}

const fmt = (n: number): string => n.toLocaleString("en-US");

function build(layers: readonly LayerView[]): Node {
  const root: Node = { name: "", children: new Map(), layer: null };
  for (const l of layers) {
    let node = root;
    for (const seg of l.path.split(".")) {
      let next = node.children.get(seg);
      if (next === undefined) node.children.set(seg, (next = { name: seg, children: new Map(), layer: null }));
      node = next;
    }
    node.layer = l;
  }
  return root;
}

function count(node: Node): number {
  let n = node.layer?.sites.length ?? 0;
  for (const c of node.children.values()) n += count(c);
  return n;
}

function el(tag: string, cls: string, text = ""): HTMLElement {
  const e = document.createElement(tag);
  if (cls) e.className = cls;
  if (text) e.textContent = text;
  return e;
}

function row(node: Node, line: number): HTMLElement {
  const r = el("span", "layer");
  r.append(el("span", "seg", node.name));
  const l = node.layer;
  if (l !== null) {
    r.dataset["path"] = l.path;
    r.append(el("span", "cls", l.className), el("span", "params", fmt(l.params)));
    for (const s of l.sites) {
      const badge = el(
        "span",
        `site${s.line === line ? " current" : ""}`,
        `+ ${s.adapter} ${s.position} · ${fmt(s.params)}`,
      );
      badge.title = `${s.id} (line ${s.line})`;
      r.append(badge);
    }
    for (const w of l.trained) {
      const badge = el(
        "span",
        `trained${w.line === line ? " current" : ""}`,
        `train ${w.name.split("/").pop()} · ${fmt(w.params)}`,
      );
      badge.title = `${w.name}: ${w.line === null ? "trainable by default" : `line ${w.line}`}`;
      r.append(badge);
    }
    if (l.sites.length > 0) r.classList.add("has-site");
    if (l.sites.some((s) => s.line === line) || l.trained.some((w) => w.line === line)) r.classList.add("current");
  }
  return r;
}

function render(node: Node, line: number): HTMLElement {
  if (node.children.size === 0) {
    const li = el("li", "leaf");
    li.append(row(node, line));
    return li;
  }
  const li = el("li", "");
  const details = document.createElement("details");
  const sites = count(node);
  details.open = sites > 0 && sites < 40;
  const summary = document.createElement("summary");
  summary.append(row(node, line));
  if (sites > 0) summary.append(el("span", "count", `${sites} site${sites === 1 ? "" : "s"}`));
  const ul = el("ul", "");
  for (const c of node.children.values()) ul.append(render(c, line));
  details.append(summary, ul);
  li.append(details);
  return li;
}

/** Renders the model tree of `layers` into `host`; the statement on `line` is highlighted. */
export function renderTree(host: HTMLElement, layers: readonly LayerView[], line: number): void {
  const open = new Set(
    [...host.querySelectorAll("details[open] > summary .layer")].map((e) => (e as HTMLElement).textContent),
  );
  const ul = el("ul", "tree");
  for (const c of build(layers).children.values()) ul.append(render(c, line));
  for (const d of ul.querySelectorAll("details")) {
    const label = d.querySelector(":scope > summary .layer")?.textContent;
    if (label !== undefined && open.has(label)) (d as HTMLDetailsElement).open = true;
  }
  host.replaceChildren(ul);
}
