"""Part 3 reference: CIFAR-10 classifiers, their training and test loops.

CIFAR-10 is read from a local folder when present (``download=False``: the harness has no
internet); otherwise a synthetic, learnable stand-in of the same shape is used (3 x 32 x 32,
10 classes, each class a colour and a stripe pattern plus noise), and callers say so.
"""

from pathlib import Path

import matplotlib.pyplot as plt
import torch
import torch.nn.functional as F
import torchvision
from torch import nn
from torch.utils.data import Dataset, TensorDataset
from torchvision import transforms

CLASSES = ("plane", "car", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck")

transform = transforms.Compose(
    [transforms.ToTensor(), transforms.Normalize((0.5, 0.5, 0.5), (0.5, 0.5, 0.5))]
)


def synthetic_cifar10(n: int, seed: int) -> TensorDataset:
    """n normalised 3x32x32 images, labels 0..9; class k has its own colour and stripes."""
    g = torch.Generator().manual_seed(seed)
    labels = torch.randint(0, 10, (n,), generator=g)
    palette = torch.rand(10, 3, 1, 1, generator=torch.Generator().manual_seed(1234))
    coords = torch.arange(32.0)
    freq = (labels % 5 + 1).float().view(n, 1, 1, 1)
    horizontal = (labels < 5).view(n, 1, 1, 1)
    stripes = torch.where(
        horizontal,
        torch.sin(freq * coords.view(1, 1, 32, 1) / 5),
        torch.sin(freq * coords.view(1, 1, 1, 32) / 5),
    )
    noise = torch.rand(n, 3, 32, 32, generator=g)
    images = 0.45 * palette[labels] + 0.15 * stripes + 0.55 * noise
    images = images.clamp(0, 1)
    return TensorDataset((images - 0.5) / 0.5, labels)


def cifar10_datasets(
    root: Path | str | None = None, n_train: int = 1000, n_test: int = 500, seed: int = 0
) -> tuple[Dataset, Dataset, str]:
    """(train set, test set, source): real CIFAR-10 from `root` if it holds it, else synthetic."""
    if root is not None:
        try:
            train_set = torchvision.datasets.CIFAR10(root, train=True, download=False,
                                                     transform=transform)
            test_set = torchvision.datasets.CIFAR10(root, train=False, download=False,
                                                    transform=transform)
            return train_set, test_set, f"CIFAR-10 from {root}"
        except RuntimeError:
            pass
    return (
        synthetic_cifar10(n_train, seed),
        synthetic_cifar10(n_test, seed + 1),
        (f"synthetic CIFAR-10 stand-in ({n_train} train / {n_test} test images; "
         "CIFAR-10 not found locally)"),
    )


class Net(nn.Module):
    """The handout's one-layer classifier: a single nn.Linear (3072 -> 10: 30,730 parameters)."""

    def __init__(self, num_inputs, num_outputs):
        super().__init__()
        self.num_inputs = num_inputs
        self.linear = nn.Linear(num_inputs, num_outputs)

    def forward(self, input):
        return self.linear(input.view(-1, self.num_inputs))


class ConvNet(nn.Module):
    """Task 3.2: conv5x5(16)+tanh, pool2, conv5x5(128)+tanh, pool2, fc 3200->64+tanh, fc 64->10."""

    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(3, 16, kernel_size=5)
        self.conv2 = nn.Conv2d(16, 128, kernel_size=5)
        self.fc1 = nn.Linear(128 * 5 * 5, 64)
        self.fc2 = nn.Linear(64, 10)

    def forward(self, x):
        x = F.max_pool2d(torch.tanh(self.conv1(x)), 2)
        x = F.max_pool2d(torch.tanh(self.conv2(x)), 2)
        x = torch.tanh(self.fc1(x.flatten(1)))
        return self.fc2(x)


def train(epoch, network, loader, optimizer, device, log_interval=100) -> float:
    """One epoch of SGD with cross-entropy, printing the handout's `Train Epoch:` lines.
    Returns the mean training loss of the epoch."""
    network.train()
    total = 0.0
    for batch_idx, (data, target) in enumerate(loader):
        data, target = data.to(device), target.to(device)
        optimizer.zero_grad()
        output = network(data)
        loss = F.cross_entropy(output, target)
        loss.backward()
        optimizer.step()
        total += loss.item() * len(data)
        if batch_idx % log_interval == 0:
            print(
                f"Train Epoch: {epoch} [{batch_idx * len(data)}/{len(loader.dataset)} "
                f"({100.0 * batch_idx / len(loader):.0f}%)]\tLoss: {loss.item():.6f}"
            )
    return total / len(loader.dataset)


def test(network, loader, device) -> tuple[float, float]:
    """Prints `Test set: Average loss: L, Accuracy: C/N (P%)`; returns (loss, accuracy %)."""
    network.eval()
    test_loss = 0.0
    correct = 0
    with torch.no_grad():
        for data, target in loader:
            data, target = data.to(device), target.to(device)
            output = network(data)
            test_loss += F.cross_entropy(output, target, reduction="sum").item()
            pred = output.argmax(1)
            correct += pred.eq(target).sum().item()
    n = len(loader.dataset)
    test_loss /= n
    accuracy = 100.0 * correct / n
    print(f"\nTest set: Average loss: {test_loss:.4f}, Accuracy: {correct}/{n} ({accuracy:.0f}%)\n")
    return test_loss, accuracy


def parameter_counts(model: nn.Module) -> dict[str, object]:
    """Per layer: weight shape, bias size and parameter count; plus the total (task 3.6)."""
    layers = {}
    for name, module in model.named_modules():
        params = list(module.parameters(recurse=False))
        if params:
            layers[name] = {
                "weight": list(module.weight.shape),
                "bias": list(module.bias.shape) if module.bias is not None else [],
                "count": sum(p.numel() for p in params),
            }
    return {"layers": layers, "total": sum(p.numel() for p in model.parameters())}


def save_first_layer_filters(model: ConvNet, path: Path) -> Path:
    """Task 3.5: the 16 first-layer 5x5x3 filters as RGB images (each rescaled to [0, 1])."""
    w = model.conv1.weight.detach().cpu()
    fig, axes = plt.subplots(2, 8, figsize=(6, 1.8))
    for ax, f in zip(axes.flat, w):
        f = (f - f.min()) / (f.max() - f.min() + 1e-12)
        ax.imshow(f.permute(1, 2, 0).numpy())
        ax.axis("off")
    fig.tight_layout()
    fig.savefig(path, dpi=60)
    plt.close(fig)
    return path
