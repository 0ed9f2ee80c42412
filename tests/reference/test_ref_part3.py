"""Part 3 reference: model sizes, the tanh/max-pool commutation, training on synthetic data."""

import re

import torch
import torch.nn.functional as F
from hypothesis import given, settings
from hypothesis import strategies as st
from torch.utils.data import DataLoader

from reference import part3

CONVNET_SHAPES = [(16, 3, 5, 5), (16,), (128, 16, 5, 5), (128,), (64, 3200), (64,), (10, 64),
                  (10,)]
TEST_LINE = re.compile(r"^Test set: Average loss: \d+\.\d{4}, Accuracy: \d+/\d+ \(\d+%\)$",
                       re.MULTILINE)
TRAIN_LINE = re.compile(r"^Train Epoch: \d+ \[\d+/\d+ \(\d+%\)\]\tLoss: \d+\.\d{6}$", re.MULTILINE)


def test_convnet_has_the_handouts_layers_and_258058_parameters():
    model = part3.ConvNet()
    assert [tuple(p.shape) for p in model.parameters()] == CONVNET_SHAPES
    counts = part3.parameter_counts(model)
    assert counts["total"] == 258_058
    assert [layer["count"] for layer in counts["layers"].values()] == [1216, 51328, 204864, 650]


def test_net_has_30730_parameters():
    assert part3.parameter_counts(part3.Net(3072, 10))["total"] == 30_730


@given(n=st.integers(1, 4), seed=st.integers(0, 2**31 - 1))
@settings(max_examples=10)
def test_models_map_cifar_batches_to_ten_scores(n, seed):
    x = torch.randn(n, 3, 32, 32, generator=torch.Generator().manual_seed(seed))
    assert part3.ConvNet()(x).shape == (n, 10)
    assert part3.Net(3072, 10)(x).shape == (n, 10)


@given(seed=st.integers(0, 2**31 - 1), c=st.integers(1, 4), size=st.integers(1, 8),
       scale=st.sampled_from([0.1, 1.0, 10.0]))
def test_tanh_and_max_pooling_commute(seed, c, size, scale):
    x = scale * torch.randn(2, c, 2 * size, 2 * size,
                            generator=torch.Generator().manual_seed(seed))
    assert torch.equal(F.max_pool2d(torch.tanh(x), 2), torch.tanh(F.max_pool2d(x, 2)))


def test_synthetic_cifar10_stands_in_when_cifar_is_absent(tmp_path):
    train_set, test_set, source = part3.cifar10_datasets(tmp_path, 64, 32, seed=0)
    assert "synthetic" in source
    x, y = train_set[0]
    assert x.shape == (3, 32, 32) and x.min() >= -1 and x.max() <= 1
    assert len(train_set) == 64 and len(test_set) == 32 and 0 <= int(y) < 10


def test_training_lowers_the_loss_and_prints_the_handouts_lines(capsys):
    torch.manual_seed(0)
    train_set, test_set, _ = part3.cifar10_datasets(None, 512, 128, seed=0)
    train_loader = DataLoader(train_set, batch_size=64, shuffle=True)
    test_loader = DataLoader(test_set, batch_size=64)
    model = part3.ConvNet()
    optimizer = torch.optim.SGD(model.parameters(), lr=0.01)
    before, _ = part3.test(model, test_loader, "cpu")
    losses = [part3.train(epoch, model, train_loader, optimizer, "cpu") for epoch in (1, 2, 3)]
    after, _ = part3.test(model, test_loader, "cpu")
    assert after < before and losses[-1] < losses[0]
    out = capsys.readouterr().out
    assert len(TEST_LINE.findall(out)) == 2 and len(TRAIN_LINE.findall(out)) == 3
