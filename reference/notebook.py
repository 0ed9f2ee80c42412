"""Build and execute the reference notebook ``submissions/A2_REFERENCE_Solution.ipynb``.

``python -m reference.notebook`` writes it. The notebook is laid out as real submissions are
(HANDOUT.md, "How real submissions look"): the handout's course cell and ``**STUDENT**:`` cell,
``### :: TASK n ::`` headings with the question in the same cell, answers framed by ``#####``
lines, no heading for 1.5 (its section "Training the network using backpropagation…"),
``:: TASK 2.2 ::`` in the middle of the "## Pooling" cell, ``:: SAMPLE TASK ::``, the
``#  WRITE YOUR CODE HERE  #`` blocks left above the code, and the authorship statement at
the end; saved as Colab saves it (nbformat 4.0, no cell ids, Colab metadata).

It is self-contained (it never imports ``reference``): the functions are written into its
cells from the reference's own source, so the two cannot drift apart, and
``build_notebook()`` is deterministic so a test can compare the committed notebook with what
the generator produces. Execution (nbclient) happens in a temporary folder holding the files
the notebook opens: the two double-moon .mat files and the stand-in test image.
"""

import argparse
import inspect
import shutil
import tempfile
import textwrap
from pathlib import Path

import nbformat
from nbclient import NotebookClient

from reference import handout, moons, part1, part2, part3

OUTPUT = Path(__file__).resolve().parent.parent / "submissions" / "A2_REFERENCE_Solution.ipynb"
STUDENT = "Reference SOLUTION"
FRAME = "#" * 80
CODE_BLOCK = "#" * 60 + "\n#  WRITE YOUR CODE HERE  #\n" + "#" * 60
AUTHORSHIP = (
    "I declare that the preceding work was the sole result of my own effort and that I have "
    "not used any code or results from third-parties."
)
#: How Colab saves a notebook: nbformat 4.0, no cell ids, these metadata keys.
COLAB_METADATA = {
    "colab": {"name": "A2_REFERENCE_Solution.ipynb", "provenance": [], "collapsed_sections": []},
    "accelerator": "GPU",
    "gpuClass": "standard",
    "kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"},
    "language_info": {"name": "python"},
}


def _src(*objects) -> str:
    return "\n\n".join(inspect.getsource(o).rstrip() for o in objects)


def _answer(text: str) -> tuple[str, str]:
    """An answer cell as the handout frames it, the student's text between the lines."""
    return ("markdown", f"{FRAME}\n{textwrap.dedent(text).strip()}\n{FRAME}")


def _task(task: str, question: str) -> tuple[str, str]:
    return ("markdown", f"### :: TASK {task} ::\n\n{textwrap.dedent(question).strip()}")


def _with_code_block(source: str) -> str:
    """The function's code under the handout's WRITE YOUR CODE HERE block, left in place."""
    source = textwrap.dedent(source).strip()
    if not source.startswith(("def ", "class ")):
        return CODE_BLOCK + "\n" + source
    head, _, body = source.partition("\n")
    if body.lstrip().startswith('"""'):  # keep the docstring first
        end = body.index('"""', body.index('"""') + 3) + 3
        end = body.index("\n", end) + 1
        head, body = head + "\n" + body[:end].rstrip("\n"), body[end:]
    indent = body[: len(body) - len(body.lstrip())]
    return head + "\n" + textwrap.indent(CODE_BLOCK, indent) + "\n" + body


def _cells() -> list[tuple[str, str]]:
    """(kind, source) of every cell, in order."""
    md = lambda text: ("markdown", textwrap.dedent(text).strip())
    code = lambda text: ("code", textwrap.dedent(text).strip())
    return [
        md("""
            # Assignment 2: Neural networks

            Object recognition and computer vision 2020/2021

            Adapted from practicals by N. le Roux, A. Vedaldi, A. Zisserman and R. Fergus.
            """),
        md(f"**STUDENT**:  {STUDENT}"),
        md("## Part 1 - Training a neural network"),
        code("""
            %matplotlib inline
            import numpy as np
            import matplotlib.pyplot as plt
            from scipy.io import loadmat

            plt.rcParams['figure.dpi'] = 60
            """),
        md("Provided code: the sigmoid, the forward pass and the decision boundary."),
        code(_src(part1.sigm, part1.nnet_forward_logloss, part1.decision_boundary_nnet)),
        _task("1.1", """
            Derive the partial derivatives of the loss $s$ with respect to the parameters
            $W_i$, $b_i$, $W_o$ and $b_o$ of the network, using the chain rule.
            """),
        _answer("""
            With $Z = X W_i + b_i$, $H = \\mathrm{ReLU}(Z)$, $Y_o = H W_o + b_o$ and
            $s = \\log(1 + e^{-Y Y_o})$, the chain rule gives

            - $\\frac{\\partial s}{\\partial Y_o} = \\frac{-Y e^{-Y Y_o}}{1 + e^{-Y Y_o}}
              = -Y\\,\\sigma(-Y Y_o)$
            - $\\frac{\\partial s}{\\partial b_o} = \\frac{\\partial s}{\\partial Y_o}$
            - $\\frac{\\partial s}{\\partial W_o} = \\frac{\\partial s}{\\partial Y_o}\\, H$
              (a vector of size $h$)
            - $\\frac{\\partial s}{\\partial b_i} = \\frac{\\partial s}{\\partial Y_o}\\,
              W_o \\odot \\mathbb{1}[Z > 0]$ (the ReLU passes the gradient only where it is active)
            - $\\frac{\\partial s}{\\partial W_i} = X^\\top \\frac{\\partial s}{\\partial b_i}$,
              i.e. the outer product of $X$ ($d$) and $\\frac{\\partial s}{\\partial b_i}$ ($h$),
              a $d \\times h$ matrix.
            """),
        _task("1.2", """
            Implement the function `gradient_nn(X, Y, Wi, bi, Wo, bo)` that returns the gradient
            of the loss of one example with respect to each parameter.
            """),
        ("code", _with_code_block(_src(part1.gradient_nn))),
        _task("1.3", """
            How can the gradient be checked numerically? Give the formula of the finite
            differences you use.
            """),
        _answer("""
            By Taylor's formula $s(\\theta + \\epsilon e_i) = s(\\theta) + \\epsilon
            \\frac{\\partial s}{\\partial \\theta_i} + O(\\epsilon^2)$, so the forward difference
            $\\frac{s(\\theta + \\epsilon e_i) - s(\\theta)}{\\epsilon}$ approximates the partial
            derivative with an $O(\\epsilon)$ error. The central difference
            $$\\frac{\\partial s}{\\partial \\theta_i} \\approx
            \\frac{s(\\theta + \\epsilon e_i) - s(\\theta - \\epsilon e_i)}{2\\epsilon}$$
            cancels the second-order terms and has an $O(\\epsilon^2)$ error; it is computed for
            every parameter $\\theta_i$ in turn, with a small $\\epsilon$ (here $10^{-6}$).
            """),
        _task("1.4", """
            Complete `gradient_nn_numerical` and run `gradcheck()`: the cell below must print
            `SUCCESS: Passed gradcheck.`
            """),
        code(_src(part1.sumelement_matrix, part1.sumelement_vector,
                  part1.gradient_nn_numerical, part1.gradcheck)),
        code("""
            if gradcheck():
                print('SUCCESS: Passed gradcheck.')
            else:
                print('FAILURE: Fix gradient_nn and/or gradient_nn_numerical functions.')
            """),
        md("""
            ## Training the network using backpropagation and experimenting with different parameters

            Provided code: the training loop and the data. This `train_loop` updates with its
            `lr` argument (the handed-out version used the global `lrate`), and takes an
            optional `rng` seed so that every run below can be reproduced.
            """),
        code(_src(part1.train_loop)),
        code(f"""
            data = loadmat('{moons.TRAIN_FILE}')
            Xtr = data['X']
            Ytr = data['Y'].flatten()
            data = loadmat('{moons.VAL_FILE}')
            Xval = data['X']
            Yval = data['Y'].flatten()
            print(Xtr.shape, Ytr.shape, Xval.shape, Yval.shape)
            """),
        code("""
            # Run training (30 epochs instead of 100 to keep the notebook quick to execute;
            # the training error reaches 0% well before)
            h = 7
            lr = 0.02
            nEpochs = 30
            tr_error, val_error = train_loop(Xtr, Ytr, Xval, Yval, h, lr, vis='all',
                                             nEpochs=nEpochs, rng=0)
            print('Final training error: %.1f%%, validation error: %.1f%%'
                  % (tr_error[-1], val_error[-1]))
            """),
        _task("1.6", """
            Run the training 5 times from different random initialisations, and report the
            final training and validation errors in a table. Does it always reach 0 training
            error?
            """),
        ("code", _with_code_block("""
            print('run | training error (%) | validation error (%) | reached 0% training error')
            for run in range(1, 6):
                tr_error, val_error = train_loop(Xtr, Ytr, Xval, Yval, 7, 0.02, vis='never',
                                                 nEpochs=nEpochs, rng=run)
                print('%3d | %18.1f | %20.1f | %s'
                      % (run, tr_error[-1], val_error[-1], (tr_error == 0).any()))
            """)),
        _answer("""
            The training error reaches 0% on nearly every initialisation, as in the table: the
            two moons are separable and 7 ReLU units are enough to bend the boundary between
            them. It is not guaranteed, though: SGD keeps moving the boundary, so the error
            at the very last step can be a few tenths of a percent above 0, and an unlucky
            initialisation (units stuck on the linear solution, or dead ReLUs) can take much
            longer to leave the plateau of about 8% error of a linear boundary.
            """),
        md("""
            ### :: SAMPLE TASK ::

            Provided code: h = 7 at learning rates {2, 0.2, 0.02, 0.002}, 5 runs each; the final
            errors with error bars, and the mean training-error curves. (10 epochs per run
            instead of 100, to keep the notebook quick to execute.)
            """),
        code("""
            def sweep(hs, lrs, nRuns=5, nEpochs=10, boundaries=False):
                finals = np.zeros((len(hs), nRuns, 2))
                curves = []
                if boundaries:
                    plt.figure(figsize=(4 * len(hs), 4))
                for k, (h, lr) in enumerate(zip(hs, lrs)):
                    runs = []
                    for run in range(nRuns):
                        if boundaries and run == 0:
                            plt.subplot(1, len(hs), k + 1)
                        vis = 'last' if boundaries and run == 0 else 'never'
                        tr_error, val_error = train_loop(Xtr, Ytr, Xval, Yval, h, lr, vis=vis,
                                                         nEpochs=nEpochs, rng=run)
                        if boundaries and run == 0:
                            plt.title('h = %d' % h)
                        finals[k, run] = tr_error[-1], val_error[-1]
                        runs.append(tr_error)
                    curves.append(np.mean(runs, axis=0))
                if boundaries:
                    plt.show()
                return finals, curves


            def plot_sweep(values, name, finals, curves):
                x = np.arange(len(values))
                plt.figure(figsize=(5, 3))
                plt.errorbar(x, finals[:, :, 0].mean(1), yerr=finals[:, :, 0].std(1),
                             fmt='o-', capsize=3, label='training error')
                plt.errorbar(x, finals[:, :, 1].mean(1), yerr=finals[:, :, 1].std(1),
                             fmt='s--', capsize=3, label='validation error')
                plt.xticks(x, [str(v) for v in values])
                plt.xlabel(name)
                plt.ylabel('final error (%)')
                plt.legend()
                plt.show()
                plt.figure(figsize=(5, 3))
                for v, curve in zip(values, curves):
                    plt.plot(curve, label='%s = %s' % (name, v))
                plt.xlabel('iteration')
                plt.ylabel('mean training error (%)')
                plt.legend()
                plt.show()
                for v, f in zip(values, finals):
                    print('%s = %-6s training error %5.1f +- %4.1f %%, validation error %5.1f +- %4.1f %%'
                          % (name, v, f[:, 0].mean(), f[:, 0].std(), f[:, 1].mean(), f[:, 1].std()))
            """),
        code("""
            lrs = [2, 0.2, 0.02, 0.002]
            finals, curves = sweep([7] * len(lrs), lrs)
            plot_sweep(lrs, 'lr', finals, curves)
            """),
        _task("1.7", """
            Discuss the results of the sample task: does the training converge for every
            learning rate? How many iterations does it need? Which learning rate is best, and
            why?
            """),
        _answer("""
            - **lr = 2** is too large: each SGD step overshoots, the error jumps around and the
              runs do not converge (high, very variable final error).
            - **lr = 0.2** converges fastest: the training error reaches about 0% within a few
              epochs and stays there.
            - **lr = 0.02** converges too, but needs roughly ten times as many iterations; with
              100 epochs it reaches 0% on nearly every run.
            - **lr = 0.002** is too small: after all the iterations the network is still near
              the linear solution (about 8-9% error); it would need far more iterations.

            The best choice here is 0.2 (0.02 if one prefers a smoother, safer descent): the
            largest learning rate that is still stable converges in the fewest iterations.
            """),
        _task("1.8", """
            Train with h in {1, 2, 5, 7, 10, 100} hidden units at lr = 0.02, 5 runs each: show
            one decision boundary per h and the two figures of the sample task, and discuss
            (under- and over-fitting). (Here 10 epochs per run.)
            """),
        ("code", _with_code_block("""
            hs = [1, 2, 5, 7, 10, 100]
            finals, curves = sweep(hs, [0.02] * len(hs), boundaries=True)
            plot_sweep(hs, 'h', finals, curves)
            """)),
        _answer("""
            - **h = 1 and h = 2 underfit**: one unit gives a straight boundary, two units a
              boundary made of two half-lines, which cannot follow the interleaved moons: the
              training and the validation error stay at about 8-9%, whatever the run.
            - **h = 5, 7, 10** have enough units to bend the boundary around the tips of the
              moons. After these 10 epochs they are still converging (the curves still go
              down, and the more units the lower the error); given the 100 epochs of the
              handout they reach 0% training error (h = 7 does within 30 epochs in 1.5-1.6).
              The validation error follows the training error, because the data are clean
              and both sets come from the same distribution.
            - **h = 100** converges fastest (many units start in a useful place) and fits the
              training set; on this small, noise-free problem it does not overfit much: the
              validation error stays close to the training error. With noisy labels or fewer
              training points the large network would start to overfit (0% training error,
              higher validation error, an irregular boundary).
            """),
        md("""
            ## Part 2 - Building blocks of a CNN

            `peppers.png` cannot be downloaded in this offline environment; `test_image.png` is
            a generated stand-in (coloured discs and bars on a smooth background).
            """),
        code("""
            import torch
            import torch.nn as nn
            import torch.nn.functional as F
            from PIL import Image
            from torchvision import transforms

            im = transforms.ToTensor()(Image.open('test_image.png').convert('RGB')).unsqueeze(0)
            print(im.shape)


            def show(maps, title, n=4):
                maps = maps[0].detach()
                plt.figure(figsize=(2 * n, 2))
                for k in range(min(n, maps.shape[0])):
                    plt.subplot(1, n, k + 1)
                    plt.imshow(maps[k], cmap='gray')
                    plt.axis('off')
                plt.suptitle('%s %s' % (title, tuple(maps.shape)))
                plt.show()


            plt.figure(figsize=(2, 2))
            plt.imshow(im[0].permute(1, 2, 0))
            plt.axis('off')
            plt.show()
            """),
        code("""
            torch.manual_seed(0)
            w = torch.randn(10, 3, 5, 5)  # a bank of 10 random 5x5x3 filters
            show(F.conv2d(im, w), 'convolution')
            show(F.conv2d(im, w, stride=8), 'stride 8')
            show(F.conv2d(im, w, padding=2), 'padding 2')
            """),
        code("""
            w = torch.tensor([[0., 1., 0.], [1., -4., 1.], [0., 1., 0.]]).repeat(1, 3, 1, 1)
            print(w.shape)
            z = F.conv2d(im, w)
            show(z, 'hand-made filter')
            show(F.relu(z), 'after ReLU')
            """),
        _task("2.1", """
            i. Which filter is this? ii. How are the R, G and B channels processed? iii. What
            structures does it detect?
            """),
        _answer("""
            1. It is a **Laplacian** filter: a discrete second derivative
               ($\\partial^2/\\partial x^2 + \\partial^2/\\partial y^2$), the sum of the four
               neighbours minus four times the centre.
            2. The same 3×3 filter is applied to each of the R, G and B channels and the three
               responses are **summed into one output channel** (the filter has shape
               1×3×3×3).
            3. It responds to fast intensity changes: **edges**, contours of the shapes, small
               **blobs** and fine texture; flat regions and linear gradients give 0.
            """),
        md("""
            ## Pooling

            Pooling summarises each neighbourhood of a feature map by one value: max pooling
            keeps the largest.

            ### :: TASK 2.2 ::

            Apply `nn.MaxPool2d(15, stride=1)` to the image. What happens, and why?
            """),
        code("""
            pooled = nn.MaxPool2d(15, stride=1)(im)
            print(im.shape, '->', pooled.shape)
            plt.figure(figsize=(4, 2))
            plt.subplot(1, 2, 1)
            plt.imshow(im[0].permute(1, 2, 0))
            plt.axis('off')
            plt.subplot(1, 2, 2)
            plt.imshow(pooled[0].permute(1, 2, 0))
            plt.axis('off')
            plt.show()
            """),
        _answer("""
            Each output pixel is the **maximum over a 15×15 window** of the input, per
            channel. Bright regions spread out (a grey-level **dilation**), small dark details
            and thin dark lines vanish, the shapes grow and become **blocky** (square
            corners), and since there is no padding the image **loses 14 pixels** in each
            dimension (128×128 → 114×114).
            """),
        md("## Part 3 - Training a CNN on CIFAR-10"),
        code(f"""
            import torch.optim as optim
            import torchvision
            from torch.utils.data import DataLoader, TensorDataset

            batch_size = 64
            epochs = 10
            lr = 0.01
            log_interval = 100
            torch.manual_seed(0)
            device = torch.device('cuda' if torch.cuda.is_available() else 'cpu')

            transform = transforms.Compose(
                [transforms.ToTensor(), transforms.Normalize((0.5, 0.5, 0.5), (0.5, 0.5, 0.5))])
            classes = {part3.CLASSES!r}


            {textwrap.indent(_src(part3.synthetic_cifar10), ' ' * 12).strip()}


            try:
                trainset = torchvision.datasets.CIFAR10(root='./data', train=True, download=False,
                                                        transform=transform)
                testset = torchvision.datasets.CIFAR10(root='./data', train=False, download=False,
                                                       transform=transform)
            except RuntimeError:
                print('NOTE: CIFAR-10 is not available offline; using synthetic data of the same '
                      'shape (3x32x32, 10 classes): 500 training and 250 test images.')
                trainset = synthetic_cifar10(500, 0)
                testset = synthetic_cifar10(250, 1)
            train_loader = DataLoader(trainset, batch_size=batch_size, shuffle=True)
            test_loader = DataLoader(testset, batch_size=batch_size, shuffle=False)
            """),
        _task("3.1", "Show 5 images of the training set with their class names."),
        ("code", _with_code_block("""
            images, labels = next(iter(train_loader))
            plt.figure(figsize=(8, 2))
            for k in range(5):
                plt.subplot(1, 5, k + 1)
                plt.imshow((images[k] / 2 + 0.5).permute(1, 2, 0).clamp(0, 1))
                plt.title(classes[labels[k]])
                plt.axis('off')
            plt.show()
            """)),
        md("Provided code: the training and test functions and a one-layer network."),
        code(_src(handout.train, handout.test)),
        code(_src(handout.Net)),
        code("""
            network = Net(3072, 10).to(device)
            print(sum(p.numel() for p in network.parameters()), 'parameters')
            optimizer = optim.SGD(network.parameters(), lr=lr)
            for epoch in range(1, epochs + 1):
                train(epoch, network)
                test(network)
            """),
        _task("3.2", """
            Define a convolutional network `ConvNet`: conv 5×5 with 16 maps + tanh, 2×2 max
            pooling, conv 5×5 with 128 maps + tanh, 2×2 max pooling, a linear layer to 64
            units + tanh, and a linear layer to the 10 classes.
            """),
        ("code", _with_code_block(_src(part3.ConvNet))),
        _task("3.3", "Why do some of the functions in a CNN need to be non-linear?"),
        _answer("""
            A composition of linear (affine) maps is itself linear (affine): without the
            non-linearities, the convolutions and fully connected layers would collapse into a
            single linear layer, no more expressive than the one-layer `Net`. The tanh between
            layers lets the network represent non-linear decision functions.
            """),
        _task("3.4", "Train the ConvNet for 20 epochs with SGD and a learning rate of 0.01."),
        code("""
            convnet = ConvNet().to(device)
            optimizer = optim.SGD(convnet.parameters(), lr=lr)
            for epoch in range(1, 20 + 1):
                train(epoch, convnet)
                test(convnet)
            """),
        _task("3.5", "Plot the 16 filters of the first convolutional layer as images."),
        code("""
            filters = convnet.conv1.weight.detach().cpu()
            plt.figure(figsize=(8, 2))
            for k in range(16):
                f = filters[k]
                f = (f - f.min()) / (f.max() - f.min())
                plt.subplot(2, 8, k + 1)
                plt.imshow(f.permute(1, 2, 0))
                plt.axis('off')
            plt.show()
            """),
        _task("3.6", """
            What is the dimensionality of the weights at each layer? How many parameters are
            there in total in this CNN architecture?
            """),
        code("""
            for name, p in convnet.named_parameters():
                print('%-14s %-20s %d' % (name, tuple(p.shape), p.numel()))
            print('total', sum(p.numel() for p in convnet.parameters()))
            """),
        _answer("""
            | layer | weights | biases | parameters |
            |---|---|---|---|
            | conv1 | 16×3×5×5 | 16 | 1,216 |
            | conv2 | 128×16×5×5 | 128 | 51,328 |
            | fc1 | 64×3200 | 64 | 204,864 |
            | fc2 | 10×64 | 10 | 650 |
            | **total** | | | **258,058** |

            The 3200 inputs of fc1 are the 128 maps of 5×5 left after conv2 and the second
            pooling (32 → 28 → 14 → 10 → 5).
            """),
        md("""
            ## Useful resources

            - PyTorch tutorials: *Deep Learning with PyTorch: a 60 minute blitz*
            - CS231n notes on backpropagation and convolutional networks
            """),
        md(f"""
            ## AUTHORSHIP STATEMENT

            {AUTHORSHIP}

            {STUDENT}
            """),
    ]


def build_notebook() -> nbformat.NotebookNode:
    """The unexecuted notebook, as Colab saves it (nbformat 4.0, no cell ids); deterministic."""
    nb = nbformat.v4.new_notebook()
    nb.nbformat_minor = 0
    nb.metadata = COLAB_METADATA
    for kind, source in _cells():
        make = nbformat.v4.new_code_cell if kind == "code" else nbformat.v4.new_markdown_cell
        cell = make(source)
        del cell["id"]
        nb.cells.append(cell)
    nbformat.validate(nb)
    return nb


def execute(nb: nbformat.NotebookNode, timeout: int = 900) -> nbformat.NotebookNode:
    """Run the notebook in a temporary folder next to copies of the files it opens."""
    with tempfile.TemporaryDirectory() as folder:
        moons.write_double_moon_files(Path(folder))
        shutil.copy(part2.TEST_IMAGE, folder)
        NotebookClient(nb, timeout=timeout, kernel_name="python3",
                       resources={"metadata": {"path": folder}}).execute()
    return nb


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description="write the executed reference notebook")
    parser.add_argument("--out", type=Path, default=OUTPUT)
    parser.add_argument("--no-execute", action="store_true", help="write it without outputs")
    args = parser.parse_args(argv)
    nb = build_notebook()
    if not args.no_execute:
        execute(nb)
    nbformat.write(nb, args.out)
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
