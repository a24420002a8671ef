/**
 * The one table of diagnostic codes. `ADAPT0xx` syntax, `1xx` names, arguments and selectors, `2xx`
 * shapes and sizes, `3xx` the training plan, `9xx` runtime. Each entry has a title (what the reference
 * lists) and its default severity. Codes are never reused for another meaning.
 */
export const CODES = {
  ADAPT001: { title: "unexpected character", severity: "error" },
  ADAPT002: { title: "unterminated string", severity: "error" },
  ADAPT003: { title: "unknown statement", severity: "error" },
  ADAPT004: { title: "syntax error", severity: "error" },
  ADAPT005: { title: "invalid regular expression", severity: "error" },
  ADAPT006: { title: "invalid escape in string", severity: "error" },

  ADAPT101: { title: "undeclared adapter", severity: "error" },
  ADAPT102: { title: "duplicate adapter declaration", severity: "error" },
  ADAPT103: { title: "unknown adapter kind", severity: "error" },
  ADAPT104: { title: "unknown head kind", severity: "error" },
  ADAPT105: { title: "insert with a weight-level adapter", severity: "error" },
  ADAPT106: { title: "apply with a module adapter", severity: "error" },
  ADAPT107: { title: "position does not suit the adapter kind", severity: "error" },
  ADAPT108: { title: "statement may appear only once", severity: "error" },
  ADAPT109: { title: "adapter declared but never used", severity: "warning" },
  ADAPT110: { title: "unknown argument", severity: "error" },
  ADAPT111: { title: "missing argument", severity: "error" },
  ADAPT112: { title: "wrong value type", severity: "error" },
  ADAPT113: { title: "duplicate argument", severity: "error" },
  ADAPT114: { title: "value not allowed", severity: "error" },
  ADAPT120: { title: "selector matches nothing", severity: "error" },
  ADAPT121: { title: "expected match count differs", severity: "error" },
  ADAPT122: { title: "layer range on paths without a layer index", severity: "error" },
  ADAPT123: { title: "rule has no effect", severity: "warning" },
  ADAPT124: { title: "unknown layer type", severity: "error" },
  ADAPT125: { title: "model file cannot be read", severity: "error" },
  ADAPT126: { title: "malformed model file", severity: "error" },
  ADAPT127: { title: "no model given", severity: "error" },
  ADAPT128: { title: "adapter site chosen twice", severity: "error" },

  ADAPT201: { title: "malformed layer range", severity: "error" },
  ADAPT202: { title: "size is not a positive integer", severity: "error" },
  ADAPT203: { title: "division by zero", severity: "error" },
  ADAPT204: { title: "size divisor is not a positive integer", severity: "error" },
  ADAPT205: { title: "size for an adapter kind without one", severity: "error" },
  ADAPT206: { title: "unknown size variable", severity: "error" },
  ADAPT207: { title: "expect is not a non-negative integer", severity: "error" },
  ADAPT210: { title: "size does not divide the feature size", severity: "error" },
  ADAPT211: { title: "size list length differs from the layer count", severity: "error" },
  ADAPT212: { title: "site has no feature dimension", severity: "error" },
  ADAPT213: { title: "target is not a dense layer", severity: "error" },
  ADAPT214: { title: "position does not exist in the graph", severity: "error" },
  ADAPT215: { title: "no size for a site", severity: "error" },
  ADAPT216: { title: "size larger than the feature size", severity: "warning" },

  ADAPT301: { title: "unknown plan key", severity: "error" },
  ADAPT302: { title: "duplicate plan key", severity: "error" },
  ADAPT303: { title: "missing plan entry", severity: "error" },
  ADAPT304: { title: "malformed plan value", severity: "error" },
  ADAPT305: { title: "no head for training", severity: "error" },
  ADAPT306: { title: "selection metric is not computed", severity: "error" },
  ADAPT307: { title: "no plan for training", severity: "error" },
  ADAPT308: { title: "metric does not suit the head", severity: "error" },
} as const satisfies Record<string, { title: string; severity: Severity }>;

/** How serious a diagnostic is. */
export type Severity = "error" | "warning" | "note";

/** A diagnostic code. */
export type Code = keyof typeof CODES;

/** All codes in table order. */
export const ALL_CODES = Object.keys(CODES) as Code[];
