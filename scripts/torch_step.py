#!/usr/bin/env python3
"""PyTorch side of the wasm-vs-PyTorch training-step comparison (issue #17).

Builds the engine's VGG-16 and ResNet-18 (CIFAR variants, src/engine/models/vgg16.ts and resnet18.ts) exactly: the same
channel widths (round(c * width), at least 1), 3x3 convs without bias + BatchNorm (eps 1e-5, momentum 0.1) + ReLU, VGG's five
2x2 max-pools and one dense layer on the flattened 1x1 map, ResNet's 3x3 stem, BasicBlocks [2, 2, 2, 2] with padding 1 on
every side and 1x1 projection shortcuts (+BN) where stride or width change, global average pool, one dense layer. Trains with
the engine's Train-lab step: mean softmax cross-entropy, SGD lr 0.02, momentum 0.9, Nesterov, weight decay 5e-4 on every
parameter (src/engine/optim/sgd.ts). Random inputs (timing only).

Usage: python3 scripts/torch_step.py --models vgg16,resnet18 --width 0.25 --batch 32 --size 32 --threads 1 --warmup 2 --steps 5
Prints one JSON line per model: {"model", "params", "threads", "msPerStep", "medianMsPerStep", "forwardMs", "backwardMs",
"optimizerMs", "medianCpuMsPerStep" (process CPU time: what a busy neighbour on a shared machine inflates least), ...}.
"""

import argparse
import json
import statistics
import sys
import time

import torch
import torch.nn as nn
import torch.nn.functional as F

VGG16_PLAN = [64, 64, "M", 128, 128, "M", 256, 256, 256, "M", 512, 512, 512, "M", 512, 512, 512, "M"]
RESNET18_STAGES = [(64, 2, 1), (128, 2, 2), (256, 2, 2), (512, 2, 2)]
BN = dict(eps=1e-5, momentum=0.1)


def scale(c: int, width: float) -> int:
    """The engine's scaleChannels: round(c * width), at least 1 (JS Math.round: halves round up)."""
    return max(1, int(c * width + 0.5))


class Vgg16(nn.Module):
    def __init__(self, width: float, num_classes: int, size: int):
        super().__init__()
        layers: list[nn.Module] = []
        cin = 3
        for item in VGG16_PLAN:
            if item == "M":
                layers.append(nn.MaxPool2d(2, 2))
                size //= 2
                continue
            cout = scale(item, width)
            layers += [nn.Conv2d(cin, cout, 3, 1, 1, bias=False), nn.BatchNorm2d(cout, **BN), nn.ReLU(inplace=True)]
            cin = cout
        self.features = nn.Sequential(*layers)
        self.fc = nn.Linear(cin * size * size, num_classes)

    def forward(self, x):
        return self.fc(torch.flatten(self.features(x), 1))


class BasicBlock(nn.Module):
    def __init__(self, cin: int, mid: int, cout: int, stride: int):
        super().__init__()
        self.conv1 = nn.Conv2d(cin, mid, 3, stride, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(mid, **BN)
        self.conv2 = nn.Conv2d(mid, cout, 3, 1, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(cout, **BN)
        self.shortcut = None
        if stride != 1 or cin != cout:
            self.shortcut = nn.Sequential(nn.Conv2d(cin, cout, 1, stride, 0, bias=False), nn.BatchNorm2d(cout, **BN))

    def forward(self, x):
        h = F.relu(self.bn1(self.conv1(x)))
        main = self.bn2(self.conv2(h))
        return F.relu(main + (self.shortcut(x) if self.shortcut is not None else x))


class ResNet18(nn.Module):
    def __init__(self, width: float, num_classes: int):
        super().__init__()
        stem = scale(RESNET18_STAGES[0][0], width)
        self.stem = nn.Sequential(nn.Conv2d(3, stem, 3, 1, 1, bias=False), nn.BatchNorm2d(stem, **BN), nn.ReLU(inplace=True))
        blocks = []
        cin = stem
        for channels, count, stride in RESNET18_STAGES:
            cout = scale(channels, width)
            for b in range(count):
                blocks.append(BasicBlock(cin, cout, cout, stride if b == 0 else 1))
                cin = cout
        self.blocks = nn.Sequential(*blocks)
        self.fc = nn.Linear(cin, num_classes)

    def forward(self, x):
        return self.fc(torch.mean(self.blocks(self.stem(x)), dim=(2, 3)))


def build(name: str, width: float, num_classes: int, size: int) -> nn.Module:
    if name == "vgg16":
        return Vgg16(width, num_classes, size)
    if name == "resnet18":
        return ResNet18(width, num_classes)
    raise SystemExit(f"unknown model {name!r}: vgg16 or resnet18")


def time_model(name: str, a: argparse.Namespace) -> dict:
    torch.manual_seed(1)
    model = build(name, a.width, a.classes, a.size).train()
    params = sum(p.numel() for p in model.parameters() if p.requires_grad)
    opt = torch.optim.SGD(model.parameters(), lr=0.02, momentum=0.9, nesterov=True, weight_decay=5e-4)
    memory_format = torch.channels_last if a.channels_last else torch.contiguous_format
    model = model.to(memory_format=memory_format)
    x = torch.randn(a.batch, 3, a.size, a.size).contiguous(memory_format=memory_format)
    y = torch.randint(0, a.classes, (a.batch,))
    fwd, bwd, upd, tot, cpu = [], [], [], [], []
    for i in range(a.warmup + a.steps):
        c0 = time.process_time()
        t0 = time.perf_counter()
        loss = F.cross_entropy(model(x), y)
        t1 = time.perf_counter()
        loss.backward()
        t2 = time.perf_counter()
        opt.step()
        opt.zero_grad(set_to_none=True)
        loss_value = loss.item()
        t3 = time.perf_counter()
        c3 = time.process_time()
        if i >= a.warmup:
            cpu.append((c3 - c0) * 1e3)
            fwd.append((t1 - t0) * 1e3)
            bwd.append((t2 - t1) * 1e3)
            upd.append((t3 - t2) * 1e3)
            tot.append((t3 - t0) * 1e3)
    return {
        "model": name,
        "width": a.width,
        "batch": a.batch,
        "size": a.size,
        "params": params,
        "threads": torch.get_num_threads(),
        "torch": torch.__version__,
        "channelsLast": a.channels_last,
        "steps": a.steps,
        "msPerStep": statistics.mean(tot),
        "medianMsPerStep": statistics.median(tot),
        "forwardMs": statistics.mean(fwd),
        "backwardMs": statistics.mean(bwd),
        "optimizerMs": statistics.mean(upd),
        "stepMs": tot,
        "medianCpuMsPerStep": statistics.median(cpu),
        "cpuMs": cpu,
        "finalLoss": loss_value,
    }


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--models", default="vgg16,resnet18")
    p.add_argument("--width", type=float, default=0.25)
    p.add_argument("--batch", type=int, default=32)
    p.add_argument("--size", type=int, default=32)
    p.add_argument("--classes", type=int, default=10)
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--warmup", type=int, default=2)
    p.add_argument("--steps", type=int, default=5)
    p.add_argument("--channels-last", action="store_true", help="NHWC activations (the engine's layout) instead of NCHW")
    a = p.parse_args()
    torch.set_num_threads(a.threads)
    try:
        torch.set_num_interop_threads(1)
    except RuntimeError:
        pass
    for name in a.models.split(","):
        print(json.dumps(time_model(name.strip(), a)), flush=True)


if __name__ == "__main__":
    sys.exit(main())
