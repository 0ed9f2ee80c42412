"""Known gradients at a few fixed inputs: an oracle for public checks that reveals no code.

The values are computed once from the reference (``python -m grader.assignments.a2.known_values``
rewrites the JSON file) and shipped with the public checks; a test keeps them in sync.
"""

from __future__ import annotations

import json
from pathlib import Path
from types import ModuleType

import numpy as np

PATH = Path(__file__).with_name("known_values.json")


def fixed_examples() -> list[dict]:
    """Inputs of the known values: seeded, away from the ReLU kink, both labels, both bo forms."""
    rng = np.random.default_rng(20201)
    examples = []
    for k, h in enumerate((3, 4, 7)):
        while True:
            X, Wi, bi, Wo = rng.normal(size=2), rng.normal(size=(2, h)), rng.normal(size=h), rng.normal(size=h)
            if np.all(np.abs(X @ Wi + bi) > 1e-2):
                break
        bo = np.array([rng.normal()]) if k % 2 == 0 else float(rng.normal())
        examples.append({"X": X, "Y": (-1.0) ** k, "Wi": Wi, "bi": bi, "Wo": Wo, "bo": bo})
    return examples


def generate(reference: ModuleType) -> list[dict]:
    records = []
    for example in fixed_examples():
        grads = reference.gradient_nn(**example)
        records.append(
            {
                "inputs": {k: np.asarray(v).tolist() for k, v in example.items()},
                "bo_is_array": isinstance(example["bo"], np.ndarray),
                "gradients": [np.asarray(g, dtype=float).tolist() for g in grads],
            }
        )
    return records


def load() -> list[tuple[dict, list[np.ndarray]]]:
    """(inputs, expected gradients) pairs, with the arrays rebuilt."""
    pairs = []
    for record in json.loads(PATH.read_text()):
        inputs: dict[str, np.ndarray | float] = {
            k: np.asarray(v, dtype=np.float64) for k, v in record["inputs"].items()
        }
        inputs["Y"] = float(inputs["Y"])
        if not record["bo_is_array"]:
            inputs["bo"] = float(inputs["bo"])
        pairs.append((inputs, [np.asarray(g, dtype=np.float64) for g in record["gradients"]]))
    return pairs


if __name__ == "__main__":
    import reference

    PATH.write_text(json.dumps(generate(reference), indent=1) + "\n")
    print(f"wrote {PATH}")
