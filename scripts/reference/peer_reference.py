"""Reference outputs of adapters in the PyTorch peers (PEFT and AdapterHub `adapters`) on a BERT checkpoint.

Usage (venv from requirements-peers.txt):
  peer_reference.py check CHECKPOINT FOLDER...   loads each folder that `adapt export` wrote (PEFT's or
      `adapters`') onto the BertModel in CHECKPOINT with the real library and writes FOLDER/reference.json:
      the inputs of CHECKPOINT/reference.json (or of --sentences) and the adapted last_hidden_state.
  peer_reference.py make CHECKPOINT OUT_DIR      trains a PEFT LoRA and an `adapters` Houlsby adapter
      (double_seq_bn) for a few steps from non-zero weights in PyTorch, saves each with safetensors into
      OUT_DIR/peft-lora and OUT_DIR/adapters-houlsby, and writes each folder's reference.json.
The committed copies are runtime/interchange/__tests__/fixtures/{export,peer}/ (see scripts/reference/README.md).
"""
import json
import os
import sys

import torch
from transformers import AutoTokenizer, BertModel

from common import write_json

SENTENCES = [
    "The battery lasts all day and the sound is great.",
    "Worst service ever; we waited an hour for cold food.",
    "A touching, well-acted film.",
]


def batches_for(checkpoint):
    """The tiny checkpoint's reference inputs, or tokenized SENTENCES for a real checkpoint."""
    ref = os.path.join(checkpoint, "reference.json")
    if os.path.exists(ref):
        with open(ref, encoding="utf-8") as f:
            return [{k: b[k] for k in ("input_ids", "attention_mask", "token_type_ids")} for b in json.load(f)]
    enc = AutoTokenizer.from_pretrained(checkpoint)(SENTENCES, padding=True)
    return [{k: enc[k] for k in ("input_ids", "attention_mask", "token_type_ids")}]


def base_model(checkpoint):
    model = BertModel.from_pretrained(checkpoint, attn_implementation="eager", add_pooling_layer=False)
    model.eval()
    return model


def outputs(model, batches):
    records = []
    with torch.no_grad():
        for batch in batches:
            tensors = {k: torch.tensor(v, dtype=torch.long) for k, v in batch.items()}
            record = dict(batch)
            record["last_hidden_state"] = model(**tensors).last_hidden_state.tolist()
            records.append(record)
    return records


def load_peer(checkpoint, folder):
    """The BertModel of checkpoint with the folder's adapter loaded and active, by the folder's library."""
    model = base_model(checkpoint)
    if os.path.exists(os.path.join(folder, "adapter_model.safetensors")):
        from peft import PeftModel
        return PeftModel.from_pretrained(model, folder).eval()
    import adapters
    adapters.init(model)
    safetensors = os.path.exists(os.path.join(folder, "adapter.safetensors"))
    name = model.load_adapter(folder, set_active=True, use_safetensors=safetensors)
    model.set_active_adapters(name)
    model.eval()
    return model


def check(checkpoint, folders):
    batches = batches_for(checkpoint)
    for folder in folders:
        write_json(os.path.join(folder, "reference.json"), outputs(load_peer(checkpoint, folder), batches))
        print("wrote", os.path.join(folder, "reference.json"))


def train_a_little(model, batches, seed):
    """A few Adam steps towards a random target, so that the saved weights are trained, not initial."""
    gen = torch.Generator().manual_seed(seed)
    params = [p for p in model.parameters() if p.requires_grad]
    opt = torch.optim.Adam(params, lr=1e-2)
    model.train()
    for batch in batches * 3:
        tensors = {k: torch.tensor(v, dtype=torch.long) for k, v in batch.items()}
        out = model(**tensors).last_hidden_state
        loss = ((out - torch.randn(out.shape, generator=gen)) ** 2).mean()
        opt.zero_grad()
        loss.backward()
        opt.step()
    model.eval()


def make(checkpoint, out_dir):
    batches = batches_for(checkpoint)
    from peft import LoraConfig, get_peft_model
    torch.manual_seed(3)
    config = LoraConfig(r=4, lora_alpha=8, target_modules=["query", "value", "attention.output.dense"],
                        init_lora_weights=False)
    peft_model = get_peft_model(base_model(checkpoint), config)
    train_a_little(peft_model, batches, 11)
    folder = os.path.join(out_dir, "peft-lora")
    peft_model.save_pretrained(folder, safe_serialization=True)
    os.remove(os.path.join(folder, "README.md"))  # the model card PEFT writes: not needed
    write_json(os.path.join(folder, "reference.json"), outputs(peft_model, batches))

    import adapters
    torch.manual_seed(4)
    model = base_model(checkpoint)
    adapters.init(model)
    model.add_adapter("houlsby", config=adapters.DoubleSeqBnConfig(reduction_factor=8, non_linearity="relu"))
    model.train_adapter("houlsby")
    with torch.no_grad():
        for name, p in model.named_parameters():
            if "adapters.houlsby" in name:
                p.add_(0.1 * torch.randn(p.shape))
    train_a_little(model, batches, 12)
    model.set_active_adapters("houlsby")
    folder = os.path.join(out_dir, "adapters-houlsby")
    model.save_adapter(folder, "houlsby", use_safetensors=True)
    write_json(os.path.join(folder, "reference.json"), outputs(model, batches))
    print("wrote", out_dir)


def main():
    command, checkpoint, rest = sys.argv[1], sys.argv[2], sys.argv[3:]
    if command == "check":
        check(checkpoint, rest)
    elif command == "make":
        make(checkpoint, rest[0])
    else:
        sys.exit(f"unknown command {command}; use check or make")


if __name__ == "__main__":
    main()
