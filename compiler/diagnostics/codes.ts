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

  ADAPT901: { title: "data file cannot be read", severity: "error" },
  ADAPT902: { title: "malformed data row", severity: "error" },
  ADAPT903: { title: "missing data column", severity: "error" },
  ADAPT904: { title: "empty text", severity: "error" },
  ADAPT905: { title: "label seen only outside the training data", severity: "error" },
  ADAPT906: { title: "label is not a number", severity: "error" },
  ADAPT907: { title: "class count differs from the head", severity: "error" },
  ADAPT908: { title: "empty data file", severity: "error" },
  ADAPT909: { title: "unknown data format", severity: "error" },
  ADAPT910: { title: "tokenizer cannot be read", severity: "error" },
  ADAPT911: { title: "output folder is not writable", severity: "error" },
  ADAPT912: { title: "not enough free disk space", severity: "error" },
  ADAPT913: { title: "loss is not finite", severity: "error" },
  ADAPT914: { title: "checkpoint cannot be resumed", severity: "error" },
  ADAPT915: { title: "model inputs not understood", severity: "error" },
  ADAPT940: { title: "unknown backend", severity: "error" },
  ADAPT941: { title: "backend package not installed", severity: "error" },
  ADAPT942: { title: "backend failed to initialise", severity: "error" },
  ADAPT943: { title: "no webgpu adapter", severity: "error" },
  ADAPT960: { title: "checkpoint file cannot be read", severity: "error" },
  ADAPT961: { title: "malformed checkpoint config", severity: "error" },
  ADAPT962: { title: "unsupported checkpoint architecture", severity: "error" },
  ADAPT963: { title: "malformed safetensors file", severity: "error" },
  ADAPT964: { title: "checkpoint tensor missing", severity: "error" },
  ADAPT965: { title: "checkpoint tensor has the wrong shape", severity: "error" },
  ADAPT966: { title: "checkpoint tensor not used", severity: "warning" },
  ADAPT967: { title: "imported model cannot be written", severity: "error" },
} as const satisfies Record<string, { title: string; severity: Severity }>;

/** How serious a diagnostic is. */
export type Severity = "error" | "warning" | "note";

/** A diagnostic code. */
export type Code = keyof typeof CODES;

/** All codes in table order. */
export const ALL_CODES = Object.keys(CODES) as Code[];
