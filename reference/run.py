"""Run the reference solution end to end: ``python -m reference.run --out DIR [--full]``.

Small sizes by default (about a minute on two cores), the handout's sizes with ``--full``.
Writes the figures (PNG), ``summary.json`` (every number) and ``summary.md`` into DIR.
"""

import argparse
import contextlib
import io
import json
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")

import torch
from rich.progress import Progress
from torch.utils.data import DataLoader

from reference import experiments, moons, part1, part2, part3


@dataclass(frozen=True)
class Sizes:
    nEpochs_1_5: int
    runs_1_6: int
    runs: int
    nEpochs_sweeps: int
    net_epochs: int
    convnet_epochs: int
    n_train: int
    n_test: int


SMALL = Sizes(nEpochs_1_5=30, runs_1_6=3, runs=2, nEpochs_sweeps=5, net_epochs=2, convnet_epochs=2,
              n_train=1000, n_test=500)
FULL = Sizes(nEpochs_1_5=100, runs_1_6=5, runs=5, nEpochs_sweeps=100, net_epochs=10, convnet_epochs=20,
             n_train=10000, n_test=2000)
TINY = Sizes(nEpochs_1_5=1, runs_1_6=1, runs=1, nEpochs_sweeps=1, net_epochs=1,
             convnet_epochs=1, n_train=128, n_test=64)
LRS = (2, 0.2, 0.02, 0.002)
HS = (1, 2, 5, 7, 10, 100)


def _units(s: Sizes) -> int:
    """Progress steps: gradcheck, Part 2, every training run, every CNN epoch."""
    runs = 1 + s.runs_1_6 + s.runs * (len(LRS) + len(HS))
    return 2 + runs + s.net_epochs + s.convnet_epochs


def run(out: Path, sizes: Sizes, seed: int = 0, cifar_root: Path | None = None,
        progress: Progress | None = None) -> dict:
    """Every task's reference numbers and figures; returns the summary."""
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    task = progress.add_task("reference", total=_units(sizes)) if progress else None

    def step(description: str | None = None):
        if progress is not None and task is not None:
            progress.update(task, advance=1, description=description or "reference")

    summary: dict = {"seed": seed, "sizes": asdict(sizes)}
    summary["gradcheck"] = part1.gradcheck(seed)
    step("1.4 gradcheck")

    data = moons.handout_data()
    summary["double_moon"] = "double_moon_{train,val}1000.mat's arrays (generated, seeded)"
    summary["1.5"] = experiments.task_1_5(data, out, sizes.nEpochs_1_5, seed, step)
    summary["1.6"] = experiments.task_1_6(data, out, sizes.runs_1_6, sizes.nEpochs_1_5, seed,
                                          step)
    summary["sample"] = experiments.sample_task_learning_rates(
        data, out, LRS, sizes.runs, sizes.nEpochs_sweeps, seed, step)
    summary["1.8"] = experiments.task_1_8(data, out, HS, sizes.runs, sizes.nEpochs_sweeps, seed,
                                          step)

    im = part2.load_image()
    blocks = part2.building_blocks(im, seed)
    part2.save_figure(im, blocks, out / "part2_blocks.png")
    summary["part2"] = {
        "image": "reference/data/test_image.png (generated stand-in for peppers.png)",
        "shapes": {k: list(v.shape) for k, v in blocks.items()},
        "figures": ["part2_blocks.png"],
    }
    step("Part 2")

    summary["part3"] = _part3(out, sizes, seed, cifar_root, step)
    (out / "summary.json").write_text(json.dumps(summary, indent=2))
    (out / "summary.md").write_text(markdown(summary))
    return summary


def _part3(out: Path, sizes: Sizes, seed: int, cifar_root, step) -> dict:
    torch.manual_seed(seed)
    device = torch.device("cuda" if torch.cuda.is_available() else "cpu")
    train_set, test_set, source = part3.cifar10_datasets(
        cifar_root, sizes.n_train, sizes.n_test, seed)
    train_loader = DataLoader(train_set, batch_size=64, shuffle=True)
    test_loader = DataLoader(test_set, batch_size=1000)
    result: dict[str, Any] = {"data": source, "device": str(device)}
    log = io.StringIO()
    for name, model, epochs in (("Net", part3.Net(3072, 10), sizes.net_epochs),
                                ("ConvNet", part3.ConvNet(), sizes.convnet_epochs)):
        model = model.to(device)
        optimizer = torch.optim.SGD(model.parameters(), lr=0.01)
        history = []
        for epoch in range(1, epochs + 1):
            with contextlib.redirect_stdout(log):
                train_loss = part3.train(epoch, model, train_loader, optimizer, device)
                test_loss, accuracy = part3.test(model, test_loader, device)
            history.append({"epoch": epoch, "train_loss": train_loss, "test_loss": test_loss,
                            "accuracy": accuracy})
            step(f"3 {name} epoch {epoch}/{epochs}")
        result[name] = {"parameters": part3.parameter_counts(model), "history": history,
                        "final_accuracy": history[-1]["accuracy"] if history else None}
        if isinstance(model, part3.ConvNet):
            part3.save_first_layer_filters(model, out / "task3_5_filters.png")
    (out / "part3_log.txt").write_text(log.getvalue())
    result["figures"] = ["task3_5_filters.png"]
    return result


def markdown(s: dict) -> str:
    """summary.md: the numbers a reader checks first."""
    lines = [f"# A2 reference run (seed {s['seed']})", "",
             f"- sizes: {s['sizes']}",
             f"- 1.4 gradcheck: {'SUCCESS' if s['gradcheck'] else 'FAILURE'}",
             f"- data: {s['double_moon']}; {s['part2']['image']}; {s['part3']['data']}",
             "", "## Part 1", "",
             (f"- 1.5 (h=7, lr=0.02): final training error {s['1.5']['train']:.1f}%, "
              f"validation {s['1.5']['val']:.1f}%"),
             "", "| 1.6 run | training error (%) | validation error (%) |", "|---|---|---|"]
    lines += [f"| {k + 1} | {tr:.1f} | {va:.1f} |"
              for k, (tr, va) in enumerate(zip(s["1.6"]["train"], s["1.6"]["val"]))]
    for key, name in (("sample", "lr"), ("1.8", "h")):
        lines += ["", f"| {key}: {name} | training error (%) | validation error (%) |",
                  "|---|---|---|"]
        lines += [f"| {v} | {r['train_mean']:.1f} ± {r['train_std']:.1f} | "
                  f"{r['val_mean']:.1f} ± {r['val_std']:.1f} |"
                  for v, r in s[key]["results"].items()]
    p3 = s["part3"]
    lines += ["", "## Part 3", "", f"- device: {p3['device']}"]
    for name in ("Net", "ConvNet"):
        lines.append(f"- {name}: {p3[name]['parameters']['total']:,} parameters, final test "
                     f"accuracy {p3[name]['final_accuracy']}% after "
                     f"{len(p3[name]['history'])} epochs")
    lines += ["", "| ConvNet layer | weight | bias | parameters |", "|---|---|---|---|"]
    lines += [f"| {n} | {'×'.join(map(str, l['weight']))} | {'×'.join(map(str, l['bias']))} | "
              f"{l['count']:,} |" for n, l in p3["ConvNet"]["parameters"]["layers"].items()]
    return "\n".join(lines) + "\n"


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="a2-reference", description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, required=True, help="folder for figures and summary")
    size = parser.add_mutually_exclusive_group()
    size.add_argument("--full", action="store_true", help="the handout's sizes (slow)")
    size.add_argument("--tiny", action="store_true", help="one short run of each (smoke test)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--cifar-root", type=Path, default=Path("data"),
                        help="folder holding cifar-10-batches-py (else synthetic data)")
    args = parser.parse_args(argv)
    with Progress() as progress:
        sizes = FULL if args.full else TINY if args.tiny else SMALL
        summary = run(args.out, sizes, args.seed, args.cifar_root, progress)
    print(f"Part 3 data: {summary['part3']['data']}")
    print(f"wrote {args.out / 'summary.md'} and {args.out / 'summary.json'}")
    return 0 if summary["gradcheck"] else 1


if __name__ == "__main__":
    raise SystemExit(main())
