#!/usr/bin/env python3
"""Writes the scikit-learn reference values that @fedbiomed/training's metric tests compare against.

Run once (Debian: apt-get install -y python3-sklearn), commit the JSON:
    /usr/bin/python3 tools/training/sklearn-metric-fixtures.py > packages/training/src/metrics/fixtures/sklearn-metrics.json
Inputs are float32-exact, so the TypeScript side reads the very same numbers.
"""
import json
import sys

import numpy as np
import sklearn
from sklearn import metrics


def f32(values):
    return [float(v) for v in np.asarray(values, dtype=np.float32)]


def classification_case(name, rng, n, classes):
    y_true = rng.randint(0, classes, n)
    logits = rng.randn(n, classes).astype(np.float32) + np.eye(classes, dtype=np.float32)[y_true] * 1.2
    probs = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)
    probs = probs.astype(np.float32)
    y_pred = probs.argmax(axis=1)
    expected = {
        "accuracy": metrics.accuracy_score(y_true, y_pred),
        "balanced_accuracy": metrics.balanced_accuracy_score(y_true, y_pred),
    }
    for avg in ("macro", "weighted"):
        expected[f"precision_{avg}"] = metrics.precision_score(y_true, y_pred, average=avg, zero_division=0)
        expected[f"recall_{avg}"] = metrics.recall_score(y_true, y_pred, average=avg, zero_division=0)
        expected[f"f1_{avg}"] = metrics.f1_score(y_true, y_pred, average=avg, zero_division=0)
    if classes == 2:
        expected["precision"] = metrics.precision_score(y_true, y_pred, zero_division=0)
        expected["recall"] = metrics.recall_score(y_true, y_pred, zero_division=0)
        expected["f1"] = metrics.f1_score(y_true, y_pred, zero_division=0)
        expected["roc_auc"] = metrics.roc_auc_score(y_true, probs[:, 1])
    else:
        expected["roc_auc"] = metrics.roc_auc_score(y_true, probs, multi_class="ovr", average="macro")
    return {
        "name": name,
        "kind": "classification",
        "classes": classes,
        "yTrue": [int(v) for v in y_true],
        "probabilities": f32(probs.reshape(-1)),
        "expected": {k: float(v) for k, v in expected.items()},
    }


def ties_case(rng):
    """Coarse scores with many ties and a class never predicted (zero_division paths)."""
    n = 60
    y_true = rng.randint(0, 2, n)
    scores = np.round(rng.rand(n) * 4) / 4
    y_pred = np.zeros(n, dtype=int)
    return {
        "name": "binary-ties-never-positive",
        "kind": "labels",
        "yTrue": [int(v) for v in y_true],
        "yPred": [int(v) for v in y_pred],
        "scores": f32(scores),
        "expected": {
            "accuracy": float(metrics.accuracy_score(y_true, y_pred)),
            "balanced_accuracy": float(metrics.balanced_accuracy_score(y_true, y_pred)),
            "precision": float(metrics.precision_score(y_true, y_pred, zero_division=0)),
            "recall": float(metrics.recall_score(y_true, y_pred, zero_division=0)),
            "f1": float(metrics.f1_score(y_true, y_pred, zero_division=0)),
            "f1_macro": float(metrics.f1_score(y_true, y_pred, average="macro", zero_division=0)),
            "roc_auc": float(metrics.roc_auc_score(y_true, scores)),
        },
    }


def regression_case(rng):
    n = 80
    y_true = (rng.randn(n) * 3 + 1).astype(np.float32)
    y_pred = (y_true + rng.randn(n).astype(np.float32) * 0.8 + 0.3).astype(np.float32)
    return {
        "name": "regression",
        "kind": "regression",
        "yTrue": f32(y_true),
        "yPred": f32(y_pred),
        "expected": {
            "mse": float(metrics.mean_squared_error(y_true.astype(np.float64), y_pred.astype(np.float64))),
            "mae": float(metrics.mean_absolute_error(y_true.astype(np.float64), y_pred.astype(np.float64))),
            "r2": float(metrics.r2_score(y_true.astype(np.float64), y_pred.astype(np.float64))),
            "explained_variance": float(metrics.explained_variance_score(y_true.astype(np.float64), y_pred.astype(np.float64))),
        },
    }


def survival_case(rng):
    """scikit-learn has no concordance index: reference is a direct O(n^2) loop of Harrell's definition
    with lifelines' tie rules (tied times are comparable when exactly one of the two is an event)."""
    n = 50
    times = np.round(rng.exponential(10, n), 1).astype(np.float32)
    events = rng.randint(0, 2, n)
    risks = (-times + rng.randn(n).astype(np.float32) * 5).astype(np.float32)
    risks[::7] = risks[0]
    comparable = concordant = 0.0
    for i in range(n):
        if not events[i]:
            continue
        for j in range(n):
            if times[i] < times[j] or (times[i] == times[j] and not events[j]):
                comparable += 1
                concordant += 1.0 if risks[i] > risks[j] else 0.5 if risks[i] == risks[j] else 0.0
    return {
        "name": "survival",
        "kind": "survival",
        "times": f32(times),
        "events": [int(v) for v in events],
        "risks": f32(risks),
        "expected": {"concordance_index": concordant / comparable},
    }


def main():
    rng = np.random.RandomState(20261126)
    cases = [
        classification_case("binary", rng, 120, 2),
        classification_case("multiclass-4", rng, 150, 4),
        ties_case(rng),
        regression_case(rng),
        survival_case(rng),
    ]
    json.dump({"generator": "tools/training/sklearn-metric-fixtures.py", "sklearn": sklearn.__version__, "cases": cases}, sys.stdout, indent=1)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
