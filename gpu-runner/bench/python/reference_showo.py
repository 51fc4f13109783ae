"""PyTorch reference timings for bench:engine (never shipped; a benchmark helper only).

Builds Show-o's Phi with `transformers` (qk_layernorm, partial rotary, untied lm_head with bias),
loads the same random safetensors weights the TypeScript engine was converted from, and times the
reference algorithms on the CPU with transformers' default attention: the Show-o Turbo text-to-image loop (the whole 387-token sequence
every step, full-vocabulary logits, top-k sampling and Gumbel re-masking as in UniCMs `sample_t2i.py`)
and the no-cache greedy understanding loop (`mmu_generate`). The MAGVIT decoder is not part of this
timing (transformers has no MAGVIT-v2 module), which favours the reference slightly.
Prints one JSON line.
"""

import argparse
import json
import math
import time

import torch
import transformers
from safetensors.torch import load_file
from transformers import PhiConfig, PhiForCausalLM


def build_model(showo_dir: str) -> tuple[PhiForCausalLM, dict]:
    with open(f"{showo_dir}/config.json") as f:
        showo = json.load(f)
    state = load_file(f"{showo_dir}/pytorch_model.safetensors")
    state = {k.removeprefix("showo."): v for k, v in state.items()}
    hidden = state["model.embed_tokens.weight"].shape[1]
    head_dim = state["model.layers.0.self_attn.q_layernorm.weight"].shape[0]
    layers = 1 + max(int(k.split(".")[2]) for k in state if k.startswith("model.layers."))
    config = PhiConfig(
        vocab_size=showo["vocab_size"],
        hidden_size=hidden,
        intermediate_size=state["model.layers.0.mlp.fc1.weight"].shape[0],
        num_hidden_layers=layers,
        num_attention_heads=hidden // head_dim,
        num_key_value_heads=hidden // head_dim,
        hidden_act="gelu_new",
        max_position_embeddings=2048,
        layer_norm_eps=1e-5,
        qk_layernorm=True,
        partial_rotary_factor=0.5,
        rope_theta=10000.0,
        tie_word_embeddings=False,
        use_cache=False,
    )
    model = PhiForCausalLM(config)
    model.load_state_dict(state, strict=True)
    model.eval()
    return model, showo


def omni_mask(ids: torch.Tensor, pad: int, soi: int, eoi: int) -> torch.Tensor:
    """create_attention_mask_predict_next(rm_pad_in_image=True) as an additive [B, 1, L, L] mask."""
    b, length = ids.shape
    causal = torch.tril(torch.ones(length, length, dtype=torch.bool))
    allowed = causal.repeat(b, 1, 1)
    for i in range(b):
        s = int((ids[i] == soi).nonzero()[0])
        e = int((ids[i] == eoi).nonzero()[0])
        allowed[i, s : e + 1, s : e + 1] = True
        pads = ids[i] == pad
        allowed[i][:, pads] = False
        allowed[i][pads.nonzero().flatten(), :] = causal[pads.nonzero().flatten(), :] & pads
    mask = torch.zeros(b, 1, length, length)
    mask.masked_fill_(~allowed.unsqueeze(1), torch.finfo(torch.float32).min)
    return mask


def t2i(model, showo, steps: int, top_k: int, generator: torch.Generator) -> float:
    n = showo["num_vq_tokens"]
    text = showo["llm_vocab_size"]
    pad, soi, eoi, t2i_id, offset = text, text + 1, text + 2, text + 5, text + 10
    mask_id = showo["mask_token_id"]
    prompt = [t2i_id, 50256 % text, 11, 12, 13, 14, 15, 50256 % text]
    block = [pad] * (129 - len(prompt)) + prompt
    ids = torch.tensor([block + [soi] + [mask_id] * n + [eoi]])
    attention = omni_mask(ids, pad, soi, eoi)
    codes = torch.full((1, n), mask_id)
    temperature = 1.0
    start = time.perf_counter()
    with torch.no_grad():
        for step in range(steps):
            ratio = (step + 1) / steps
            logits = model(input_ids=ids, attention_mask=attention).logits.float()
            logits = logits[:, -(n + 1) : -1, offset:-1]
            probs = logits.softmax(dim=-1)
            flat = probs.reshape(-1, logits.size(-1))
            top_p, top_i = torch.topk(flat, top_k, dim=-1)
            top_p /= top_p.sum(dim=-1, keepdim=True)
            sampled = top_i.gather(-1, torch.multinomial(top_p, 1, generator=generator)).view(1, n)
            unknown = codes == mask_id
            sampled = torch.where(unknown, sampled, codes)
            mask_ratio = torch.cos(torch.tensor(ratio) * math.pi * 0.5)
            selected = torch.gather(probs, -1, sampled[..., None]).squeeze(-1)
            selected = torch.where(unknown, selected, torch.finfo(selected.dtype).max)
            mask_len = torch.clamp(torch.min(unknown.sum(-1, keepdim=True) - 1, (n * mask_ratio).floor().long()), min=1)
            temperature *= 1.0 - ratio
            noise = torch.zeros_like(selected).uniform_(0, 1, generator=generator)
            gumbel = -torch.log(-torch.log(noise.clamp(min=1e-20)).clamp(min=1e-20))
            confidence = torch.log(selected.clamp(min=1e-20)) + temperature * gumbel
            cutoff = torch.sort(confidence, dim=-1).values.gather(1, mask_len)
            remask = confidence < cutoff
            codes = torch.where(remask, mask_id, sampled)
            ids[:, -(n + 1) : -1] = torch.where(remask, mask_id, sampled + offset)
    return time.perf_counter() - start


def mmu(model, showo, prompt_length: int, tokens: int) -> float:
    text = showo["llm_vocab_size"]
    eoi = text + 2
    ids = torch.tensor([[text + 6, text + 1] + [text + 10 + (i * 7) % 8192 for i in range(showo["num_vq_tokens"])] + [eoi]])
    ids = torch.cat([ids, torch.arange(prompt_length - ids.shape[1]).unsqueeze(0) % text], dim=1)
    start = time.perf_counter()
    with torch.no_grad():
        for _ in range(tokens):
            length = ids.shape[1]
            allowed = torch.tril(torch.ones(length, length, dtype=torch.bool))
            allowed[:, : int((ids[0] == eoi).nonzero()[0]) + 1] = True
            mask = torch.zeros(1, 1, length, length).masked_fill_(~allowed, torch.finfo(torch.float32).min)
            logits = model(input_ids=ids, attention_mask=mask).logits
            ids = torch.cat([ids, logits[:, -1:].argmax(-1)], dim=1)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--showo", required=True)
    parser.add_argument("--steps", type=int, default=4)
    parser.add_argument("--top-k", type=int, default=200)
    parser.add_argument("--tokens", type=int, default=64)
    parser.add_argument("--question-length", type=int, default=280)
    parser.add_argument("--threads", type=int, default=0)
    args = parser.parse_args()
    if args.threads > 0:
        torch.set_num_threads(args.threads)
    model, showo = build_model(args.showo)
    generator = torch.Generator().manual_seed(0)
    t2i(model, showo, 1, args.top_k, generator)  # warm-up
    image_s = t2i(model, showo, args.steps, args.top_k, generator)
    mmu_s = mmu(model, showo, args.question_length, args.tokens)
    print(
        json.dumps(
            {
                "framework": f"torch {torch.__version__}, transformers {transformers.__version__} "
                f"({model.config._attn_implementation} attention), fp32",
                "threads": torch.get_num_threads(),
                "textToImageSecondsPerImage": image_s,
                "textToImageIncludes": "transformer steps and sampling; no VQ decode",
                "referenceTokensPerSecond": args.tokens / mmu_s,
                "tokens": args.tokens,
            }
        )
    )


if __name__ == "__main__":
    main()
