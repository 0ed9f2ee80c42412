"""A stand-in model submission, for developing the corpus before the reference notebook exists.

Laid out like the reference notebook: a markdown heading per task, the provided code, the
reference's answers, and saved outputs (SUCCESS line, figures, the 20-epoch log, 3.6 answer).
"""

from __future__ import annotations

import inspect
import sys
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT))

from nbfactory import image, make_notebook, stream  # noqa: E402


def _src(obj) -> str:
    return inspect.getsource(obj).strip()


def standin_notebook() -> nbformat.NotebookNode:
    from reference import handout, part1, part3

    test_lines = "".join(
        f"Train Epoch: {e} [0/50000 (0%)]\tLoss: 2.3\n\nTest set: Average loss: 1.1000, Accuracy: {5000 + 50 * e}/10000 ({50 + e // 2}%)\n\n"
        for e in range(1, 21)
    )
    cells = [
        ("markdown", "# Assignment 2: Neural networks"),
        "import numpy as np\nimport matplotlib.pyplot as plt\nfrom scipy.io import loadmat",
        ("markdown", "## Part 1: a two-layer network"),
        "\n\n\n".join(_src(f) for f in (handout.sigm, handout.nnet_forward_logloss, handout.decision_boundary_nnet)),
        "data = loadmat('double_moon_train1000.mat')\nXtr, Ytr = data['X'], data['Y'].ravel()\n"
        "data = loadmat('double_moon_val1000.mat')\nXval, Yval = data['X'], data['Y'].ravel()",
        ("markdown", "### Question 1.1\n\nds/dYo = -Y sigma(-Y Yo) ..."),
        ("markdown", "### Question 1.2"),
        _src(part1.gradient_nn),
        ("markdown", "### Question 1.3\n\nCentral difference (s(θ+ε)−s(θ−ε))/2ε."),
        ("markdown", "### Question 1.4"),
        _src(handout.sumelement_matrix) + "\n\n\n" + _src(handout.sumelement_vector) + "\n\n\n" + _src(part1.gradient_nn_numerical),
        _src(handout.gradcheck),
        ("code", "if gradcheck():\n    print('SUCCESS: Passed gradcheck.')\nelse:\n    print('FAILURE: Fix gradient_nn and/or gradient_nn_numerical')", None, [stream("SUCCESS: Passed gradcheck.\n")]),
        ("markdown", "### Question 1.5"),
        _src(handout.train_loop),
        ("code", "lrate = 0.02\ntr_error, val_error = train_loop(Xtr, Ytr, Xval, Yval, 7, lrate)", None, [image(), image()]),
        ("markdown", "### Question 1.6"),
        ("code", "for run in range(5):\n    tr, val = train_loop(Xtr, Ytr, Xval, Yval, 7, 0.02, vis='never')\n    print(run, tr[-1], val[-1])", None,
         [stream("".join(f"run {k}: train 0.0 val {1.5 + k / 10}\n" for k in range(5)))]),
        ("markdown", "### Question 1.7\n\nlr = 0.02 is best."),
        ("markdown", "### Question 1.8"),
        ("code", "for h in [1, 2, 5, 7, 10, 100]:\n    train_loop(Xtr, Ytr, Xval, Yval, h, 0.02, vis='last')", None, [image() for _ in range(8)]),
        ("markdown", "h = 1, 2 underfit."),
        ("markdown", "## Part 2"),
        ("markdown", "### Question 2.1\n\nA Laplacian filter."),
        ("markdown", "### Question 2.2\n\nMax pooling dilates bright areas."),
        ("markdown", "## Part 3"),
        "import torch\nimport torch.nn as nn\nimport torch.nn.functional as F\nimport torch.optim as optim\n"
        "batch_size = 64\nepochs = 10\nlr = 0.01\nlog_interval = 100\ndevice = torch.device('cpu')",
        _src(handout.Net),
        _src(handout.train) + "\n\n\n" + _src(handout.test),
        ("markdown", "### Question 3.1"),
        ("code", "plt.imshow(images[0])", None, [image()]),
        ("markdown", "### Question 3.2"),
        _src(part3.ConvNet),
        ("markdown", "### Question 3.3\n\nA composition of linear maps is linear."),
        ("markdown", "### Question 3.4"),
        ("code", "network = ConvNet().to(device)\noptimizer = optim.SGD(network.parameters(), lr=lr)\n"
                 "for epoch in range(1, 21):\n    train(epoch, network)\n    test(network)", None, [stream(test_lines)]),
        ("markdown", "### Question 3.5"),
        ("code", "w = network.conv1.weight.detach()\nplt.imshow(w[0].permute(1, 2, 0))", None, [image()]),
        ("markdown", "### Question 3.6\n\nconv1: 16×3×5×5 + 16 = 1,216; conv2: 128×16×5×5 + 128 = 51,328; "
                     "fc1: 64×3200 + 64 = 204,864; fc2: 10×64 + 10 = 650. Total: **258,058** parameters."),
        ("markdown", "I, Jane Doe, declare that this notebook is my own work."),
    ]
    return make_notebook(cells, run=True)
