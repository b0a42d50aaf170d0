#!/usr/bin/env python3
"""Baseline side of the training benchmark: the same CNNs in PyTorch on CPU (or CUDA), random data,
SGD lr 0.01, warm-up epochs for 4 s, then timed epochs. Prints one JSON line.
Usage: python3 tools/bench/training-backends-torch.py <cnn28|cnn64> <samplesPerEpoch> <repeats> [cpu|cuda] [threads]
"""
import json
import sys
import time

import torch
from torch import nn


def cnn28():
    return nn.Sequential(
        nn.Conv2d(1, 16, 3), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(16, 32, 3), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(), nn.Linear(800, 64), nn.ReLU(), nn.Linear(64, 10),
    ), 32, (1, 28, 28), 10


def cnn64():
    return nn.Sequential(
        nn.Conv2d(1, 32, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(32, 64, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(64, 128, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(), nn.Linear(8192, 256), nn.ReLU(), nn.Linear(256, 6),
    ), 64, (1, 64, 64), 6


WARM_UP_SECONDS = 4.0  # as the tfjs side, whose JIT needs it


def main():
    name, samples, repeats = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    device = sys.argv[4] if len(sys.argv) > 4 else "cpu"
    threads = int(sys.argv[5]) if len(sys.argv) > 5 else 2
    torch.set_num_threads(threads)
    model, batch, shape, classes = {"cnn28": cnn28, "cnn64": cnn64}[name]()
    model = model.to(device)
    x = torch.rand((samples,) + shape, device=device)
    y = torch.randint(0, classes, (samples,), device=device)
    opt = torch.optim.SGD(model.parameters(), lr=0.01)
    loss_fn = nn.CrossEntropyLoss()

    def epoch():
        for start in range(0, samples, batch):
            opt.zero_grad()
            loss = loss_fn(model(x[start:start + batch]), y[start:start + batch])
            loss.backward()
            opt.step()
        if device == "cuda":
            torch.cuda.synchronize()
        return loss.item()

    started = time.perf_counter()
    while time.perf_counter() - started < WARM_UP_SECONDS:
        epoch()
    rates, cpu_rates = [], []
    for _ in range(repeats):
        t0, c0 = time.perf_counter(), time.process_time()
        epoch()
        rates.append(samples / (time.perf_counter() - t0))
        cpu_rates.append(samples / (time.process_time() - c0))
    print(json.dumps({"impl": "pytorch", "model": name, "backend": f"torch {torch.__version__} {device} {threads} threads", "rates": rates, "cpuRates": cpu_rates}))


if __name__ == "__main__":
    main()
