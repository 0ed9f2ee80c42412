"""Part 2 reference: the CNN building blocks applied to one RGB image.

The notebook downloads ``peppers.png``, which the harness cannot reach; ``data/test_image.png``
is a generated stand-in (128 x 128, coloured discs and bars on a smooth background) made by
``write_test_image`` from a fixed seed.
"""

from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import torch
import torch.nn.functional as F
from PIL import Image
from torch import nn
from torchvision import transforms

TEST_IMAGE = Path(__file__).resolve().parent / "data" / "test_image.png"


def write_test_image(path: Path = TEST_IMAGE, size: int = 128, seed: int = 0) -> Path:
    """Generate the stand-in for peppers.png: smooth colour gradient, discs, bars."""
    rng = np.random.default_rng(seed)
    yy, xx = np.mgrid[0:size, 0:size] / size
    img = np.stack([0.3 + 0.4 * xx, 0.2 + 0.3 * yy, 0.5 - 0.3 * xx * yy], axis=-1)
    for _ in range(8):
        cx, cy = rng.random(2)
        r = 0.06 + 0.12 * rng.random()
        img[(xx - cx) ** 2 + (yy - cy) ** 2 < r**2] = rng.random(3)
    for _ in range(3):
        x0, y0 = rng.random(2) * 0.8
        img[(xx > x0) & (xx < x0 + 0.15) & (yy > y0) & (yy < y0 + 0.04)] = rng.random(3)
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.fromarray((img * 255).round().astype(np.uint8)).save(path)
    return path


def load_image(path: Path = TEST_IMAGE) -> torch.Tensor:
    """The image as a 1 x 3 x H x W float tensor in [0, 1] (ToTensor, batch dimension)."""
    return transforms.ToTensor()(Image.open(path).convert("RGB")).unsqueeze(0)


def random_filter_bank(n_filters: int = 10, size: int = 5, seed: int = 0) -> torch.Tensor:
    """n_filters random size x size x 3 filters, as the handout's torch.randn(10, 3, 5, 5)."""
    return torch.randn(n_filters, 3, size, size, generator=torch.Generator().manual_seed(seed))


def convolve(im: torch.Tensor, w: torch.Tensor, stride: int = 1, padding: int = 0) -> torch.Tensor:
    """Convolution of the image with a filter bank (one output map per filter)."""
    return F.conv2d(im, w, stride=stride, padding=padding)


def laplacian_filter() -> torch.Tensor:
    """Task 2.1's filter: [[0,1,0],[1,-4,1],[0,1,0]] repeated on the 3 channels (1x3x3x3),
    so the three per-channel responses are summed into one output map."""
    k = torch.tensor([[0.0, 1.0, 0.0], [1.0, -4.0, 1.0], [0.0, 1.0, 0.0]])
    return k.repeat(1, 3, 1, 1)


def relu(x: torch.Tensor) -> torch.Tensor:
    return F.relu(x)


def max_pool(im: torch.Tensor, size: int = 15, stride: int = 1) -> torch.Tensor:
    """Task 2.2's MaxPool2d(15, stride=1): a grey-level dilation, 14 pixels smaller per side."""
    return nn.MaxPool2d(size, stride=stride)(im)


def building_blocks(im: torch.Tensor, seed: int = 0) -> dict[str, torch.Tensor]:
    """Every block of Part 2 applied to the image, by name."""
    w = random_filter_bank(seed=seed)
    lap = convolve(im, laplacian_filter())
    return {
        "conv": convolve(im, w),
        "conv_stride8": convolve(im, w, stride=8),
        "conv_pad2": convolve(im, w, padding=2),
        "laplacian": lap,
        "laplacian_relu": relu(lap),
        "maxpool15": max_pool(im),
    }


def save_figure(im: torch.Tensor, blocks: dict[str, torch.Tensor], path: Path) -> Path:
    """One panel per block: the image, the first map of each convolution, the pooled image."""
    panels = [("image", im[0].permute(1, 2, 0))]
    for name, out in blocks.items():
        panels.append((name, out[0].permute(1, 2, 0) if out.shape[1] == 3 else out[0, 0]))
    fig, axes = plt.subplots(1, len(panels), figsize=(2 * len(panels), 2.2))
    for ax, (name, data) in zip(axes, panels):
        ax.imshow(data.detach().numpy().clip(0, 1) if data.ndim == 3 else data.detach().numpy(),
                  cmap="gray")
        ax.set_title(f"{name}\n{tuple(data.shape[:2])}", fontsize=7)
        ax.axis("off")
    fig.tight_layout()
    fig.savefig(path, dpi=60)
    plt.close(fig)
    return path


if __name__ == "__main__":
    print(write_test_image())
