"""Shared helpers of the reference scripts: run a Hugging Face BertModel on the CPU and dump its outputs."""
import json

import torch
from transformers import BertModel


def run_reference(model_dir, batches):
    """Runs the checkpoint in model_dir on each batch (dict of id lists); returns JSON-ready records."""
    model = BertModel.from_pretrained(model_dir, attn_implementation="eager")
    model.eval()
    records = []
    with torch.no_grad():
        for batch in batches:
            tensors = {k: torch.tensor(v, dtype=torch.long) for k, v in batch.items()}
            out = model(**tensors)
            record = dict(batch)
            record["last_hidden_state"] = out.last_hidden_state.tolist()
            if out.pooler_output is not None:
                record["pooler_output"] = out.pooler_output.tolist()
            records.append(record)
    return records


def write_json(path, value):
    """Writes value as compact JSON (floats as Python prints them: shortest round-trip form)."""
    with open(path, "w", encoding="utf-8") as f:
        json.dump(value, f, separators=(",", ":"))
        f.write("\n")
