"""Generate corpora for measuring similarity detection on A2 notebooks.

Nine authors solve the A2 tasks independently, in different styles (loops or vectorised,
einsum, helper functions, ``nn.Sequential`` or attributes, their own names and their own
written answers). Their notebooks have the real form: nbformat 4.0 without cell ids, the
handout's ``### :: TASK n ::`` banners (none for 1.5, 2.2 in the middle of the "## Pooling"
cell, a ``:: SAMPLE TASK ::``), ``#####`` answer frames and ``WRITE YOUR CODE HERE`` blocks
that students write between, replace or leave in place, and null, 0-based or 1-based
execution counts. Some students work from the 2019 handout, whose provided code differs.

- ``corpus()``: whole copies, made the way copying students make them: renamed variables,
  reformatting, comments added or removed, cells and functions reordered, loops rewritten as
  comprehensions, written answers with light edits; a chain of three; copied prose only.
- ``single_part_corpus()``: one task's code or answer copied (and disguised) into otherwise
  original work.

``copied_parts`` is the truth: which (task, code|answer) two students share.

Usage: ``python -m tests.support.students.authors OUT`` writes both corpora under ``OUT``.
"""

from __future__ import annotations

import ast
import io
import itertools
import json
import re
import sys
import tokenize
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path

import nbformat
from nbformat import v4

# ----------------------------------------------------------------------------- template
# The handout: task statements and provided code, with a slot where each answer goes.

PROVIDED_PART1 = """\
import numpy as np
import matplotlib.pyplot as plt
from scipy.io import loadmat

def sigm(x):
    # sigmoid, clamped to avoid overflow warnings
    return np.where(x > -20, 1 / (1 + np.exp(-x)), 0)

def nnet_forward_logloss(X, Y, Wi, bi, Wo, bo):
    H = np.maximum(0, np.dot(X, Wi) + bi)
    Yo = np.dot(H, Wo) + bo
    Po = sigm(Yo)
    loss = np.log(1 + np.exp(-Y * Yo))
    return Po, Yo, loss

def decision_boundary_nnet(X, Y, Wi, bi, Wo, bo):
    xx, yy = np.meshgrid(np.linspace(-2, 4, 200), np.linspace(-5, 3, 200))
    grid = np.c_[xx.ravel(), yy.ravel()]
    Po, Yo, _ = nnet_forward_logloss(grid, np.ones(len(grid)), Wi, bi, Wo, bo)
    plt.contourf(xx, yy, np.sign(Yo).reshape(xx.shape), alpha=0.3)
    plt.scatter(X[:, 0], X[:, 1], c=Y, s=5)
"""

PROVIDED_DATA = """\
!wget -q http://www.di.ens.fr/willow/teaching/recvis/assignment2/double_moon_train1000.mat
!wget -q http://www.di.ens.fr/willow/teaching/recvis/assignment2/double_moon_val1000.mat
%matplotlib inline
train = loadmat('double_moon_train1000.mat')
val = loadmat('double_moon_val1000.mat')
Xtr, Ytr = train['X'], train['Y'].ravel()
Xval, Yval = val['X'], val['Y'].ravel()
"""

PROVIDED_NUMERICAL = """\
def sumelement_matrix(X, i, j, element):
    X_copy = X.copy()
    X_copy[i, j] = X_copy[i, j] + element
    return X_copy

def sumelement_vector(X, i, element):
    X_copy = X.copy()
    X_copy[i] = X_copy[i] + element
    return X_copy

def gradient_nn_numerical(X, Y, Wi, bi, Wo, bo):
    eps = 1e-6
    grad_Wi = np.zeros(Wi.shape)
    for i in range(Wi.shape[0]):
        for j in range(Wi.shape[1]):
            _, _, lp = nnet_forward_logloss(X, Y, sumelement_matrix(Wi, i, j, eps), bi, Wo, bo)
            _, _, lm = nnet_forward_logloss(X, Y, sumelement_matrix(Wi, i, j, -eps), bi, Wo, bo)
            grad_Wi[i, j] = (lp - lm) / (2 * eps)
    grad_bi = np.zeros(bi.shape)
    for i in range(bi.shape[0]):
        _, _, lp = nnet_forward_logloss(X, Y, Wi, sumelement_vector(bi, i, eps), Wo, bo)
        _, _, lm = nnet_forward_logloss(X, Y, Wi, sumelement_vector(bi, i, -eps), Wo, bo)
        grad_bi[i] = (lp - lm) / (2 * eps)
    grad_Wo = np.zeros(Wo.shape)
    for i in range(Wo.shape[0]):
        _, _, lp = nnet_forward_logloss(X, Y, Wi, bi, sumelement_vector(Wo, i, eps), bo)
        _, _, lm = nnet_forward_logloss(X, Y, Wi, bi, sumelement_vector(Wo, i, -eps), bo)
        grad_Wo[i] = (lp - lm) / (2 * eps)
    _, _, lp = nnet_forward_logloss(X, Y, Wi, bi, Wo, bo + eps)
    _, _, lm = nnet_forward_logloss(X, Y, Wi, bi, Wo, bo - eps)
    grad_bo = (lp - lm) / (2 * eps)
    return grad_Wi, grad_bi, grad_Wo, grad_bo

def gradcheck():
    for _ in range(1000):
        h = 3
        X, Y = np.random.randn(2), np.random.choice([-1, 1])
        Wi, bi, Wo, bo = np.random.randn(2, h), np.random.randn(h), np.random.randn(h), np.random.randn(1)
        analytic = gradient_nn(X, Y, Wi, bi, Wo, bo)
        numeric = gradient_nn_numerical(X, Y, Wi, bi, Wo, bo)
        for a, n in zip(analytic, numeric):
            if np.mean(np.abs(a - n)) > 1e-6:
                return False
    return True

print('SUCCESS: Passed gradcheck.' if gradcheck() else 'FAILURE: Fix gradient_nn and/or gradient_nn_numerical.')
"""

PROVIDED_TRAIN = """\
def train_loop(Xtr, Ytr, Xval, Yval, h, lr, vis='all', nEpochs=100):
    Wi = np.random.randn(2, h)
    bi = np.zeros(h)
    Wo = np.zeros(h)
    bo = 0.
    nSamples = Xtr.shape[0]
    tr_error = np.zeros(nEpochs * nSamples)
    val_error = np.zeros(nEpochs * nSamples)
    for it in range(nEpochs * nSamples):
        n = np.random.randint(nSamples)
        grad_Wi, grad_bi, grad_Wo, grad_bo = gradient_nn(Xtr[n], Ytr[n], Wi, bi, Wo, bo)
        Wi -= lrate * grad_Wi
        bi -= lrate * grad_bi
        Wo -= lrate * grad_Wo
        bo -= lrate * grad_bo
        _, Yo, _ = nnet_forward_logloss(Xtr, Ytr, Wi, bi, Wo, bo)
        tr_error[it] = 100 * np.mean(np.sign(Yo) != Ytr)
        _, Yo, _ = nnet_forward_logloss(Xval, Yval, Wi, bi, Wo, bo)
        val_error[it] = 100 * np.mean(np.sign(Yo) != Yval)
    if vis in ('all', 'last'):
        decision_boundary_nnet(Xtr, Ytr, Wi, bi, Wo, bo)
    return tr_error, val_error
"""

PROVIDED_PART2 = """\
import torch
import torch.nn as nn
import torch.nn.functional as F
from PIL import Image
!wget -q http://www.di.ens.fr/willow/teaching/recvis/assignment2/peppers.png
im = torch.from_numpy(np.array(Image.open('peppers.png'))).permute(2, 0, 1).float()[None] / 255
conv = nn.Conv2d(3, 10, 5)
res = conv(im)
lap = torch.tensor([[0., 1., 0.], [1., -4., 1.], [0., 1., 0.]]).repeat(1, 3, 1, 1)
edges = F.conv2d(im, lap)
pooled = nn.MaxPool2d(15, stride=1)(im)
"""

PROVIDED_PART3 = """\
import torchvision
import torchvision.transforms as transforms
import torch.optim as optim
batch_size = 64
epochs = 10
lr = 0.01
device = torch.device('cuda' if torch.cuda.is_available() else 'cpu')
transform = transforms.Compose([transforms.ToTensor(), transforms.Normalize((0.5, 0.5, 0.5), (0.5, 0.5, 0.5))])
trainset = torchvision.datasets.CIFAR10(root='./data', train=True, download=True, transform=transform)
train_loader = torch.utils.data.DataLoader(trainset, batch_size=batch_size, shuffle=True)
testset = torchvision.datasets.CIFAR10(root='./data', train=False, download=True, transform=transform)
test_loader = torch.utils.data.DataLoader(testset, batch_size=batch_size, shuffle=False)
classes = ('plane', 'car', 'bird', 'cat', 'deer', 'dog', 'frog', 'horse', 'ship', 'truck')

def train(epoch, network):
    network.train()
    for batch_idx, (data, target) in enumerate(train_loader):
        data, target = data.to(device), target.to(device)
        optimizer.zero_grad()
        output = network(data)
        loss = F.cross_entropy(output, target)
        loss.backward()
        optimizer.step()
        if batch_idx % 100 == 0:
            print('Train Epoch: {} [{}/{}]\\tLoss: {:.6f}'.format(epoch, batch_idx * len(data), len(train_loader.dataset), loss.item()))

def test(network):
    network.eval()
    test_loss, correct = 0, 0
    with torch.no_grad():
        for data, target in test_loader:
            data, target = data.to(device), target.to(device)
            output = network(data)
            test_loss += F.cross_entropy(output, target, reduction='sum').item()
            correct += output.argmax(1).eq(target).sum().item()
    test_loss /= len(test_loader.dataset)
    print('Test set: Average loss: {:.4f}, Accuracy: {}/{} ({:.0f}%)'.format(test_loss, correct, len(test_loader.dataset), 100. * correct / len(test_loader.dataset)))

class Net(nn.Module):
    def __init__(self, num_inputs, num_outputs):
        super(Net, self).__init__()
        self.linear = nn.Linear(num_inputs, num_outputs)

    def forward(self, input):
        input = input.view(-1, 32 * 32 * 3)
        return self.linear(input)

network = Net(3072, 10).to(device)
optimizer = optim.SGD(network.parameters(), lr=lr)
for epoch in range(1, epochs + 1):
    train(epoch, network)
    test(network)
"""

# Older years' handouts differ a little: the same tasks, provided code written otherwise. Many
# students start from the notebook of a friend of the year before, so this code is present in
# many notebooks although no base file holds it.

PROVIDED_NUMERICAL_2019 = """\
def sumelement_matrix(X, i, j, element):
    Xc = np.copy(X)
    Xc[i][j] += element
    return Xc

def sumelement_vector(X, i, element):
    Xc = np.copy(X)
    Xc[i] += element
    return Xc

def gradient_nn_numerical(X, Y, Wi, bi, Wo, bo):
    epsilon = 1e-5
    loss = lambda *p: nnet_forward_logloss(X, Y, *p)[2]
    grad_Wi = np.zeros_like(Wi)
    for (i, j), _ in np.ndenumerate(Wi):
        grad_Wi[i][j] = (loss(sumelement_matrix(Wi, i, j, epsilon), bi, Wo, bo)
                         - loss(sumelement_matrix(Wi, i, j, -epsilon), bi, Wo, bo)) / (2 * epsilon)
    grad_bi = np.zeros_like(bi)
    for i in range(len(bi)):
        grad_bi[i] = (loss(Wi, sumelement_vector(bi, i, epsilon), Wo, bo)
                      - loss(Wi, sumelement_vector(bi, i, -epsilon), Wo, bo)) / (2 * epsilon)
    grad_Wo = np.zeros_like(Wo)
    for i in range(len(Wo)):
        grad_Wo[i] = (loss(Wi, bi, sumelement_vector(Wo, i, epsilon), bo)
                      - loss(Wi, bi, sumelement_vector(Wo, i, -epsilon), bo)) / (2 * epsilon)
    grad_bo = (loss(Wi, bi, Wo, bo + epsilon) - loss(Wi, bi, Wo, bo - epsilon)) / (2 * epsilon)
    return grad_Wi, grad_bi, grad_Wo, grad_bo

def gradcheck():
    for trial in range(1000):
        X = np.random.randn(2)
        Y = 1 if np.random.rand() > 0.5 else -1
        h = 3
        Wi = np.random.randn(2, h); bi = np.random.randn(h)
        Wo = np.random.randn(h); bo = np.random.randn(1)
        for g, gn in zip(gradient_nn(X, Y, Wi, bi, Wo, bo), gradient_nn_numerical(X, Y, Wi, bi, Wo, bo)):
            if np.abs(g - gn).mean() > 1e-6:
                return False
    return True

if gradcheck():
    print('SUCCESS: Passed gradcheck.')
else:
    print('FAILURE: Fix gradient_nn and/or gradient_nn_numerical.')
"""

PROVIDED_TRAIN_2019 = """\
def train_loop(Xtr, Ytr, Xval, Yval, h, lrate, vis='all', nEpochs=100):
    d = Xtr.shape[1]
    Wi = np.random.randn(d, h)
    bi = np.zeros(h)
    Wo = np.zeros(h)
    bo = 0.
    tr_error, val_error = [], []
    for epoch in range(nEpochs):
        for n in np.random.permutation(len(Ytr)):
            gWi, gbi, gWo, gbo = gradient_nn(Xtr[n, :], Ytr[n], Wi, bi, Wo, bo)
            Wi, bi = Wi - lrate * gWi, bi - lrate * gbi
            Wo, bo = Wo - lrate * gWo, bo - lrate * gbo
            tr_error.append(100 * np.mean(np.sign(nnet_forward_logloss(Xtr, Ytr, Wi, bi, Wo, bo)[1]) != Ytr))
            val_error.append(100 * np.mean(np.sign(nnet_forward_logloss(Xval, Yval, Wi, bi, Wo, bo)[1]) != Yval))
        if vis == 'all' and epoch % 10 == 0:
            decision_boundary_nnet(Xtr, Ytr, Wi, bi, Wo, bo)
            plt.show()
    if vis in ('all', 'last'):
        decision_boundary_nnet(Xtr, Ytr, Wi, bi, Wo, bo)
    return np.array(tr_error), np.array(val_error)
"""

PROVIDED_PART3_2019 = """\
import torchvision
import torchvision.transforms as transforms
import torch.optim as optim
batch_size = 64
epochs = 10
lr = 0.01
log_interval = 100
use_cuda = torch.cuda.is_available()
device = torch.device("cuda" if use_cuda else "cpu")
normalize = transforms.Normalize(mean=[0.5, 0.5, 0.5], std=[0.5, 0.5, 0.5])
train_loader = torch.utils.data.DataLoader(
    torchvision.datasets.CIFAR10('../data', train=True, download=True,
                                 transform=transforms.Compose([transforms.ToTensor(), normalize])),
    batch_size=batch_size, shuffle=True)
test_loader = torch.utils.data.DataLoader(
    torchvision.datasets.CIFAR10('../data', train=True,
                                 transform=transforms.Compose([transforms.ToTensor(), normalize])),
    batch_size=batch_size, shuffle=True)
classes = ['plane', 'car', 'bird', 'cat', 'deer', 'dog', 'frog', 'horse', 'ship', 'truck']

def train(epoch, network):
    network.train()
    for batch_idx, (data, target) in enumerate(train_loader):
        if use_cuda:
            data, target = data.cuda(), target.cuda()
        optimizer.zero_grad()
        output = network(data)
        loss = F.nll_loss(F.log_softmax(output, dim=1), target)
        loss.backward()
        optimizer.step()
        if batch_idx % log_interval == 0:
            print('Train Epoch: {} [{}/{} ({:.0f}%)]\\tLoss: {:.6f}'.format(
                epoch, batch_idx * len(data), len(train_loader.dataset),
                100. * batch_idx / len(train_loader), loss.data.item()))

def test(network):
    network.eval()
    test_loss = 0
    correct = 0
    for data, target in test_loader:
        if use_cuda:
            data, target = data.cuda(), target.cuda()
        output = network(data)
        test_loss += F.nll_loss(F.log_softmax(output, dim=1), target, size_average=False).data.item()
        pred = output.data.max(1, keepdim=True)[1]
        correct += pred.eq(target.data.view_as(pred)).cpu().sum()
    test_loss /= len(test_loader.dataset)
    print('\\nTest set: Average loss: {:.4f}, Accuracy: {}/{} ({:.0f}%)\\n'.format(
        test_loss, correct, len(test_loader.dataset),
        100. * correct / len(test_loader.dataset)))

class Net(nn.Module):
    def __init__(self, num_inputs, num_outputs):
        super(Net, self).__init__()
        self.linear = nn.Linear(num_inputs, num_outputs)

    def forward(self, input):
        input = input.view(-1, num_inputs)
        output = self.linear(input)
        return output

num_inputs = 3 * 32 * 32
num_outputs = 10
network = Net(num_inputs, num_outputs)
if use_cuda:
    network.cuda()
optimizer = optim.SGD(network.parameters(), lr=lr)
for epoch in range(1, epochs + 1):
    train(epoch, network)
    test(network)
"""

RUN_TRAINING = """\
# Run training
h = 7
lrate = .02
tr_error, val_error = train_loop(Xtr, Ytr, Xval, Yval, h, lrate)
plt.plot(tr_error, label='training error')
plt.plot(val_error, label='validation error')
plt.legend()
"""

SAMPLE_TASK = """\
lrates = [2, 0.2, 0.02, 0.002]
finals = np.array([[train_loop(Xtr, Ytr, Xval, Yval, 7, lr_, vis='never')[0][-1] for _ in range(5)] for lr_ in lrates])
plt.errorbar(lrates, finals.mean(axis=1), yerr=finals.std(axis=1))
plt.xscale('log')
"""

POOLING = """\
pooled = nn.MaxPool2d(15, stride=1)(im)
plt.imshow(pooled[0].permute(1, 2, 0))
"""

#: The provided code of each year's handout; 2020 is the base the benchmark excludes.
HANDOUTS: dict[str, dict[str, str]] = {
    "2020": {
        "part1": PROVIDED_PART1,
        "data": PROVIDED_DATA,
        "numerical": PROVIDED_NUMERICAL,
        "train": PROVIDED_TRAIN,
        "part2": PROVIDED_PART2,
        "part3": PROVIDED_PART3,
    },
    "2019": {
        "part1": PROVIDED_PART1,
        "data": PROVIDED_DATA,
        "numerical": PROVIDED_NUMERICAL_2019,
        "train": PROVIDED_TRAIN_2019,
        "part2": PROVIDED_PART2,
        "part3": PROVIDED_PART3_2019,
    },
}

FRAME = "#" * 60
ANSWER_FRAME = f"{FRAME}\n\nWRITE YOUR ANSWER HERE\n\n{FRAME}"
CODE_BLOCK = (
    "#####################################################\n"
    "#                WRITE YOUR CODE HERE               #\n"
    "#####################################################"
)


def _indented(block: str, indent: str) -> str:
    return "\n".join(indent + line for line in block.split("\n"))


#: The handout's cell where each code task's answer goes, as handed out.
CODE_PLACEHOLDERS = {
    "1.2": (
        "def gradient_nn(X, Y, Wi, bi, Wo, bo):\n"
        + _indented(CODE_BLOCK, "    ")
        + "\n    return grad_s_Wi, grad_s_bi, grad_s_Wo, grad_s_bo\n"
    ),
    "3.2": (
        "class ConvNet(nn.Module):\n    def __init__(self):\n        super(ConvNet, self).__init__()\n"
        + _indented(CODE_BLOCK, "        ")
        + "\n\n    def forward(self, x):\n"
        + _indented(CODE_BLOCK, "        ")
        + "\n        return x\n"
    ),
}

# Where each task's answers go: the task's banner cell (its question), then a code placeholder
# and/or an answer frame. ("provided", key) cells come from the year's handout.
QUESTIONS = {
    "1.1": "Derive the gradients of the loss with respect to the parameters of the network (∂s/∂Wi, ∂s/∂bi, ∂s/∂Wo, ∂s/∂bo) using the chain rule.",
    "1.2": "Implement `gradient_nn(X, Y, Wi, bi, Wo, bo)` that returns the gradients of the loss for one example.",
    "1.3": "Give the formula of the numerical gradient and explain it.",
    "1.4": "Complete `gradient_nn_numerical` and check your gradient with `gradcheck`.",
    "1.6": "Run the training 5 times from different random initialisations and report the final training and validation errors in a table. Do you always reach 0 training error?",
    "1.7": "Discuss the results for the different learning rates: convergence, number of iterations, which one is best and why.",
    "1.8": "Vary the number of hidden units h in {1, 2, 5, 7, 10, 100} and discuss under- and over-fitting.",
    "2.1": "Which filter is this, how are the R, G and B channels processed, and which structures are detected?",
    "2.2": "What does the max pooling with a 15×15 window and stride 1 do to the image?",
    "3.1": "Show 5 training images with their class names.",
    "3.2": "Implement the ConvNet described above.",
    "3.3": "Why must some of the functions of a network be non-linear?",
    "3.4": "Train the ConvNet for 20 epochs.",
    "3.5": "Plot the 16 filters of the first convolution layer.",
    "3.6": "What is the dimensionality of the weights at each layer? How many parameters are there in total in this CNN architecture?",
}
ANSWER_SLOTS = {"1.1", "1.3", "1.6", "1.7", "1.8", "2.1", "2.2", "3.3", "3.6"}
CODE_SLOTS = {"1.2", "1.6", "1.8", "3.1", "3.2", "3.4", "3.5"}


def _banner(task: str) -> tuple[str, str]:
    return ("markdown", f"### :: TASK {task} ::\n{QUESTIONS[task]}")


# (kind, source) for handout cells; ("provided", key) for the year's provided code;
# ("slot", task id) where a student's answers go.
TEMPLATE: list[tuple[str, str]] = [
    (
        "markdown",
        (
            "# Assignment 2: Neural networks\n\nObject recognition and computer vision {year}\n\n"
            "Submit the executed notebook as `A2_LASTNAME_Firstname.ipynb`."
        ),
    ),
    ("markdown", "**STUDENT**:  {student}"),
    (
        "markdown",
        (
            "## Part 1 - a two-layer fully connected network\n\nThe network computes "
            "$H = \\mathrm{ReLU}(X W_i + b_i)$ and $Y_o = H W_o + b_o$ with the logistic loss "
            "$s(Y, Y_o) = \\log(1 + \\exp(-Y Y_o))$."
        ),
    ),
    ("provided", "part1"),
    ("provided", "data"),
    _banner("1.1"),
    ("slot", "1.1"),
    _banner("1.2"),
    ("slot", "1.2"),
    _banner("1.3"),
    ("slot", "1.3"),
    _banner("1.4"),
    ("provided", "numerical"),
    (
        "markdown",
        (
            "## Training the network using backpropagation and experimenting with different "
            "parameters\n\nThe provided `train_loop` trains the network with SGD."
        ),
    ),
    ("provided", "train"),
    ("code", RUN_TRAINING),
    _banner("1.6"),
    ("slot", "1.6"),
    ("markdown", "### :: SAMPLE TASK ::\nThe learning rates {2, 0.2, 0.02, 0.002}, 5 runs each."),
    ("code", SAMPLE_TASK),
    _banner("1.7"),
    ("slot", "1.7"),
    _banner("1.8"),
    ("slot", "1.8"),
    ("markdown", "## Part 2 - CNN building blocks"),
    ("provided", "part2"),
    _banner("2.1"),
    ("slot", "2.1"),
    (
        "markdown",
        (
            "## Pooling\n\nMax pooling keeps the largest value of each window.\n\n"
            f"### :: TASK 2.2 ::\n{QUESTIONS['2.2']}"
        ),
    ),
    ("code", POOLING),
    ("slot", "2.2"),
    ("markdown", "## Part 3 - training a CNN on CIFAR-10"),
    ("provided", "part3"),
    _banner("3.1"),
    ("slot", "3.1"),
    _banner("3.2"),
    ("slot", "3.2"),
    _banner("3.3"),
    ("slot", "3.3"),
    _banner("3.4"),
    ("slot", "3.4"),
    _banner("3.5"),
    ("slot", "3.5"),
    _banner("3.6"),
    ("slot", "3.6"),
    ("markdown", "## Useful resources\n\n- PyTorch tutorials: https://pytorch.org/tutorials/"),
    (
        "markdown",
        (
            "## AUTHORSHIP STATEMENT\n\nI declare that the preceding work was the sole result of my "
            "own effort and that I have not used any code or results from third-parties.\n\n{signature}"
        ),
    ),
]

# ----------------------------------------------------------------------------- authors
# Nine independent authors' answers, keyed by task id: lists of cells (kind, source).

M = "markdown"
C = "code"

AUTHORS: dict[str, dict[str, list[tuple[str, str]]]] = {
    "A2_MARTIN_Alice": {
        "1.1": [
            (
                M,
                (
                    "Let $z = X W_i + b_i$ and $H = \\max(0, z)$. By the chain rule, with "
                    "$\\delta = \\partial s / \\partial Y_o = -Y \\sigma(-Y Y_o)$ we get "
                    "$\\partial s/\\partial b_o = \\delta$, $\\partial s/\\partial W_o = \\delta H$, "
                    "$\\partial s/\\partial b_i = \\delta W_o \\odot 1[z>0]$ and "
                    "$\\partial s/\\partial W_i = X^T (\\delta W_o \\odot 1[z > 0])$."
                ),
            )
        ],
        "1.2": [
            (
                C,
                """\
def gradient_nn(X, Y, Wi, bi, Wo, bo):
    z = X @ Wi + bi
    H = np.maximum(z, 0)
    Yo = H @ Wo + bo
    delta = -Y * sigm(-Y * Yo)
    grad_bo = delta
    grad_Wo = delta * H
    grad_bi = delta * Wo * (z > 0)
    grad_Wi = np.outer(X, grad_bi)
    return grad_Wi, grad_bi, grad_Wo, grad_bo
""",
            )
        ],
        "1.3": [
            (
                M,
                (
                    "Using a Taylor expansion, $s(\\theta + \\epsilon) - s(\\theta - \\epsilon) "
                    "\\approx 2 \\epsilon s'(\\theta)$, so the derivative is approximated by the "
                    "central difference divided by $2\\epsilon$, which is more precise than the "
                    "one-sided difference."
                ),
            )
        ],
        "1.6": [
            (
                C,
                """\
lrate = 0.02
tr, va = train_loop(Xtr, Ytr, Xval, Yval, h=7, lr=0.02)
plt.figure()
plt.plot(tr, label='train')
plt.plot(va, label='validation')
plt.legend()
plt.show()

def final_errors(h, lr, runs=5):
    finals = []
    for run in range(runs):
        tr, va = train_loop(Xtr, Ytr, Xval, Yval, h, lr, vis='never')
        finals.append((tr[-1], va[-1]))
    return np.array(finals)

table = final_errors(7, 0.02)
print('run | train error | val error')
for i, (t, v) in enumerate(table):
    print(f'{i + 1:3d} | {t:11.2f} | {v:9.2f}')
""",
            ),
            (
                M,
                (
                    "Training reached zero training error in 4 of the 5 runs; one run stayed at "
                    "about 1% because of a bad initialisation."
                ),
            ),
        ],
        "1.7": [
            (
                M,
                (
                    "With lr = 2 the training diverges and the error oscillates wildly. "
                    "With 0.2 it converges fast but is noisy. 0.02 converges smoothly within a few "
                    "epochs and gives the best final error, while 0.002 is far too slow and has not "
                    "converged after 100 epochs."
                ),
            )
        ],
        "1.8": [
            (
                C,
                """\
hidden_sizes = [1, 2, 5, 7, 10, 100]
results = {}
for h in hidden_sizes:
    lrate = 0.02
    results[h] = final_errors(h, 0.02)
means = np.array([results[h].mean(axis=0) for h in hidden_sizes])
stds = np.array([results[h].std(axis=0) for h in hidden_sizes])
plt.errorbar(hidden_sizes, means[:, 0], yerr=stds[:, 0], label='train')
plt.errorbar(hidden_sizes, means[:, 1], yerr=stds[:, 1], label='val')
plt.xscale('log')
plt.legend()
""",
            ),
            (
                M,
                (
                    "One or two hidden units underfit: the boundary is almost a line. From 5 units on "
                    "the moons are separated; 100 units does not overfit much here because the data is "
                    "simple, but the validation error gets slightly worse."
                ),
            ),
        ],
        "2.1": [
            (
                M,
                (
                    "It is a Laplacian filter (discrete second derivative). The same filter is "
                    "applied to R, G and B and the three results are summed into one output map. "
                    "It responds to edges and fine textures."
                ),
            )
        ],
        "3.2": [
            (
                C,
                """\
class ConvNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(3, 16, 5)
        self.conv2 = nn.Conv2d(16, 128, 5)
        self.pool = nn.MaxPool2d(2, 2)
        self.fc1 = nn.Linear(128 * 5 * 5, 64)
        self.fc2 = nn.Linear(64, 10)

    def forward(self, x):
        x = self.pool(torch.tanh(self.conv1(x)))
        x = self.pool(torch.tanh(self.conv2(x)))
        x = x.view(x.size(0), -1)
        x = torch.tanh(self.fc1(x))
        return self.fc2(x)
""",
            )
        ],
        "3.3": [
            (
                M,
                (
                    "Without non-linearities a stack of linear layers collapses into a single "
                    "linear map, so depth would add no expressive power."
                ),
            )
        ],
        "3.4": [
            (
                C,
                """\
model = ConvNet().to(device)
optimizer = optim.SGD(model.parameters(), lr=0.01)
for epoch in range(1, 21):
    train(epoch, model)
    test(model)

w = model.conv1.weight.detach().cpu()
fig, axes = plt.subplots(2, 8, figsize=(12, 3))
for ax, f in zip(axes.ravel(), w):
    f = (f - f.min()) / (f.max() - f.min())
    ax.imshow(f.permute(1, 2, 0))
    ax.axis('off')
""",
            )
        ],
        "3.6": [
            (
                M,
                (
                    "conv1: 16x3x5x5 + 16 = 1216; conv2: 128x16x5x5 + 128 = 51328; "
                    "fc1: 64x3200 + 64 = 204864; fc2: 10x64 + 10 = 650. Total 258058 parameters."
                ),
            )
        ],
    },
    "A2_NGUYEN_Bao": {
        "1.1": [
            (
                M,
                (
                    "Write $a = W_i^T x + b_i$, $h = relu(a)$, $y_o = w_o^T h + b_o$. The loss "
                    "derivative is $ds/dy_o = -y/(1+e^{y y_o})$. Then every parameter follows: the "
                    "output bias gets exactly this value, the output weights get it times h, and "
                    "the hidden units get it times $w_o$ where $a$ is positive and zero elsewhere. "
                    "The input weights are the input times that hidden gradient."
                ),
            )
        ],
        "1.2": [
            (
                C,
                """\
def gradient_nn(X, Y, Wi, bi, Wo, bo):
    d, h = Wi.shape
    pre = np.zeros(h)
    for j in range(h):
        pre[j] = bi[j] + sum(X[i] * Wi[i, j] for i in range(d))
    hidden = np.array([max(p, 0.0) for p in pre])
    out = bo + sum(hidden[j] * Wo[j] for j in range(h))
    dout = -Y / (1.0 + np.exp(Y * out))
    gWo = np.zeros(h)
    gbi = np.zeros(h)
    gWi = np.zeros((d, h))
    for j in range(h):
        gWo[j] = dout * hidden[j]
        if pre[j] > 0:
            gbi[j] = dout * Wo[j]
        for i in range(d):
            gWi[i, j] = X[i] * gbi[j]
    return gWi, gbi, gWo, dout
""",
            )
        ],
        "1.3": [
            (
                M,
                (
                    "The derivative is the limit of the slope between two close points. We take "
                    "a point epsilon on each side: (f(x+eps) - f(x-eps)) / (2 eps). The error of this "
                    "symmetric version is of order eps squared."
                ),
            )
        ],
        "1.6": [
            (
                C,
                """\
lrate = 0.02
train_err, val_err = train_loop(Xtr, Ytr, Xval, Yval, 7, 0.02, vis='last')
fig = plt.figure(figsize=(8, 4))
plt.semilogy(train_err + 1e-3)
plt.semilogy(val_err + 1e-3)
plt.title('errors')

rows = []
for seed in range(5):
    np.random.seed(seed)
    e_tr, e_val = train_loop(Xtr, Ytr, Xval, Yval, 7, 0.02, vis='never')
    rows.append([seed, e_tr[-1], e_val[-1]])
print(np.array(rows))
""",
            ),
            (M, "Not always: seeds 0, 1, 3 and 4 reach 0% but seed 2 ends at 0.5%."),
        ],
        "1.7": [
            (
                M,
                (
                    "Too large a step (2) makes SGD jump around and never settle. 0.2 learns "
                    "quickly. 0.002 is very slow. I would pick 0.02 as a compromise between speed "
                    "and stability."
                ),
            )
        ],
        "1.8": [
            (
                C,
                """\
for nh in (1, 2, 5, 7, 10, 100):
    errs = np.zeros((5, 2))
    for r in range(5):
        a, b = train_loop(Xtr, Ytr, Xval, Yval, nh, 0.02, vis='last' if r == 0 else 'never')
        errs[r] = a[-1], b[-1]
    print(nh, errs.mean(0), errs.std(0))
""",
            ),
            (
                M,
                (
                    "Few hidden neurons give a nearly linear decision boundary and high error "
                    "(underfitting). More neurons fit the moons; with 100 the boundary becomes more "
                    "irregular."
                ),
            ),
        ],
        "2.1": [
            (
                M,
                (
                    "This is the Laplace operator. Each colour channel is convolved separately with "
                    "the same kernel and the outputs are added. We see contours of the peppers."
                ),
            )
        ],
        "3.2": [
            (
                C,
                """\
class ConvNet(nn.Module):
    def __init__(self):
        super(ConvNet, self).__init__()
        self.net = nn.Sequential(
            nn.Conv2d(3, 16, kernel_size=5), nn.Tanh(), nn.MaxPool2d(2),
            nn.Conv2d(16, 128, kernel_size=5), nn.Tanh(), nn.MaxPool2d(2),
            nn.Flatten(),
            nn.Linear(3200, 64), nn.Tanh(),
            nn.Linear(64, 10),
        )

    def forward(self, x):
        return self.net(x)
""",
            )
        ],
        "3.3": [
            (
                M,
                (
                    "If every layer were linear, the whole network would be equivalent to one "
                    "matrix multiplication and could only learn linear decision boundaries."
                ),
            )
        ],
        "3.4": [
            (
                C,
                """\
cnn = ConvNet().to(device)
optimizer = optim.SGD(cnn.parameters(), lr=lr)
for ep in range(20):
    train(ep + 1, cnn)
    test(cnn)
k = cnn.net[0].weight.data.cpu().numpy()
k = (k - k.min()) / (k.max() - k.min())
plt.figure(figsize=(10, 2))
for n in range(16):
    plt.subplot(1, 16, n + 1)
    plt.imshow(np.transpose(k[n], (1, 2, 0)))
    plt.xticks([])
    plt.yticks([])
""",
            )
        ],
        "3.6": [
            (
                M,
                (
                    "First conv: 1,216 weights and biases. Second conv: 51,328. Hidden dense layer: "
                    "204,864. Output layer: 650. Sum = 258,058."
                ),
            )
        ],
    },
    "A2_OKAFOR_Chidi": {
        "1.1": [
            (
                M,
                (
                    "Denote the residual $r = \\partial s/\\partial Y_o$. Since "
                    "$s = \\log(1+e^{-Y Y_o})$, $r = -Y e^{-Y Y_o} / (1 + e^{-Y Y_o})$. Back-propagating "
                    "through the linear output layer gives $r$ for $b_o$ and $r H$ for $W_o$; through "
                    "the ReLU the mask of active units multiplies $r W_o$, and the outer product with "
                    "the input gives the gradient of $W_i$."
                ),
            )
        ],
        "1.2": [
            (
                C,
                """\
def relu(a):
    return a * (a > 0)

def relu_grad(a):
    return (a > 0).astype(float)

def gradient_nn(X, Y, Wi, bi, Wo, bo):
    a = np.einsum('i,ij->j', X, Wi) + bi
    h = relu(a)
    yo = np.einsum('j,j->', h, Wo) + bo
    r = -Y * np.exp(-Y * yo) / (1 + np.exp(-Y * yo))
    g_bi = r * Wo * relu_grad(a)
    g_Wi = np.einsum('i,j->ij', X, g_bi)
    return g_Wi, g_bi, r * h, r
""",
            )
        ],
        "1.3": [
            (
                M,
                (
                    "From the definition of the derivative we approximate it by a finite "
                    "difference. The centred formula cancels the second order term of the Taylor "
                    "series and is therefore accurate to second order in the step."
                ),
            )
        ],
        "1.6": [
            (
                C,
                """\
lrate = 0.02
curves = train_loop(Xtr, Ytr, Xval, Yval, h=7, lr=lrate)
for c, name in zip(curves, ('training', 'validation')):
    plt.plot(c, label=name)
plt.legend()

final = np.array([[err[-1] for err in train_loop(Xtr, Ytr, Xval, Yval, 7, lrate, 'never')] for _ in range(5)])
print('final training / validation errors (%):')
print(final)
""",
            ),
            (M, "All five runs reached a training error of zero."),
        ],
        "1.7": [
            (
                M,
                (
                    "The largest rate overshoots the minimum and the loss explodes. Small rates "
                    "like 0.002 need many more iterations. 0.02 to 0.2 give the lowest errors; "
                    "0.02 is the most stable."
                ),
            )
        ],
        "1.8": [
            (
                C,
                """\
sizes = [1, 2, 5, 7, 10, 100]
summary = np.array([
    [[e[-1] for e in train_loop(Xtr, Ytr, Xval, Yval, s, lrate, 'never')] for _ in range(5)]
    for s in sizes
])
m, sd = summary.mean(axis=1), summary.std(axis=1)
fig, ax = plt.subplots()
ax.errorbar(sizes, m[:, 0], sd[:, 0], fmt='o-', label='train')
ax.errorbar(sizes, m[:, 1], sd[:, 1], fmt='s--', label='val')
ax.set_xscale('log')
ax.legend()
""",
            ),
            (
                M,
                (
                    "With h equal to 1 or 2 the model is too simple. Around 7 to 10 units works best "
                    "and a very large hidden layer starts to overfit the training noise."
                ),
            ),
        ],
        "2.1": [
            (
                M,
                (
                    "A Laplacian kernel, which approximates the sum of second derivatives. RGB "
                    "are filtered by the same kernel and summed, so it detects blobs and edges."
                ),
            )
        ],
        "3.2": [
            (
                C,
                """\
class ConvNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.c1 = nn.Conv2d(3, 16, 5)
        self.c2 = nn.Conv2d(16, 128, 5)
        self.l1 = nn.Linear(3200, 64)
        self.l2 = nn.Linear(64, 10)

    def forward(self, x):
        x = torch.tanh(F.max_pool2d(self.c1(x), 2))
        x = torch.tanh(F.max_pool2d(self.c2(x), 2))
        x = torch.flatten(x, 1)
        return self.l2(torch.tanh(self.l1(x)))
""",
            )
        ],
        "3.3": [
            (
                M,
                (
                    "Composing affine maps gives an affine map, so non-linear activations are "
                    "needed to represent non-linear functions."
                ),
            )
        ],
        "3.4": [
            (
                C,
                """\
conv_model = ConvNet().to(device)
optimizer = optim.SGD(conv_model.parameters(), lr=0.01)
for e in range(1, 20 + 1):
    train(e, conv_model)
    test(conv_model)
filters = conv_model.c1.weight.detach().cpu()
grid = torchvision.utils.make_grid(filters, nrow=8, normalize=True, padding=1)
plt.imshow(grid.permute(1, 2, 0))
plt.axis('off')
""",
            )
        ],
        "3.6": [
            (
                M,
                (
                    "| layer | weights | biases |\n|---|---|---|\n| c1 | 1200 | 16 |\n"
                    "| c2 | 51200 | 128 |\n| l1 | 204800 | 64 |\n| l2 | 640 | 10 |\n\nTotal: 258058."
                ),
            )
        ],
    },
    "A2_DUBOIS_Dana": {
        "1.1": [
            (
                M,
                (
                    "Forward: $u = X W_i + b_i$, $H = relu(u)$, $Y_o = H W_o + b_o$. Backward: "
                    "$g = -Y(1 - \\sigma(Y Y_o))$; $g_{b_o} = g$; $g_{W_o} = g H$; "
                    "$g_{b_i} = g\\, W_o\\, [u > 0]$; $g_{W_i} = X g_{b_i}^T$."
                ),
            )
        ],
        "1.2": [
            (
                C,
                """\
def forward_parts(X, Wi, bi, Wo, bo):
    u = np.dot(X, Wi) + bi
    H = np.where(u > 0, u, 0.0)
    return u, H, np.dot(H, Wo) + bo

def gradient_nn(X, Y, Wi, bi, Wo, bo):
    u, H, Yo = forward_parts(X, Wi, bi, Wo, bo)
    g = -Y * (1 - sigm(Y * Yo))
    grads = {}
    grads['bo'] = g
    grads['Wo'] = g * H
    grads['bi'] = np.where(u > 0, g * Wo, 0.0)
    grads['Wi'] = X[:, None] * grads['bi'][None, :]
    return grads['Wi'], grads['bi'], grads['Wo'], grads['bo']
""",
            )
        ],
        "1.3": [
            (
                M,
                (
                    "Numerical gradient: perturb one parameter by +h and -h, evaluate the loss "
                    "twice and divide the difference by 2h. This comes from the first-order "
                    "Taylor approximation of the loss around the parameter."
                ),
            )
        ],
        "1.6": [
            (
                C,
                """\
lrate = 0.02
hist = train_loop(Xtr, Ytr, Xval, Yval, 7, 0.02)
plt.figure()
plt.plot(hist[0], 'b', hist[1], 'r')
plt.xlabel('iteration')
plt.ylabel('error %')

outcome = {'train': [], 'val': []}
for attempt in range(5):
    t_err, v_err = train_loop(Xtr, Ytr, Xval, Yval, 7, 0.02, vis='never')
    outcome['train'].append(t_err[-1])
    outcome['val'].append(v_err[-1])
for key, values in outcome.items():
    print(key, ' '.join('%.1f' % x for x in values))
""",
            ),
            (
                M,
                "Yes, every run ended with 0% training error, the validation error stays below 1%.",
            ),
        ],
        "1.7": [
            (
                M,
                (
                    "lr = 2: unstable, the error jumps between 0 and 50 %. lr = 0.2: fast but the "
                    "curve keeps fluctuating. lr = 0.02: smooth and converged after about 20 "
                    "epochs. lr = 0.002: still decreasing at the end. Best choice: 0.02."
                ),
            )
        ],
        "1.8": [
            (
                C,
                """\
H_LIST = [1, 2, 5, 7, 10, 100]
stats = np.zeros((len(H_LIST), 5, 2))
for a, nh in enumerate(H_LIST):
    for b in range(5):
        t_err, v_err = train_loop(Xtr, Ytr, Xval, Yval, nh, 0.02, vis='last' if b == 4 else 'never')
        stats[a, b] = [t_err[-1], v_err[-1]]
plt.figure()
for col, label in enumerate(['train', 'val']):
    plt.errorbar(H_LIST, stats[:, :, col].mean(1), stats[:, :, col].std(1), capsize=3, label=label)
plt.semilogx()
plt.legend()
""",
            ),
            (
                M,
                (
                    "Small h underfits (high train and validation error), large h has capacity to "
                    "spare; the best validation error is around h = 10."
                ),
            ),
        ],
        "2.1": [
            (
                M,
                (
                    "Laplacian. Same 2D kernel for each channel, outputs summed. Detects edges "
                    "(zero crossings) and small spots."
                ),
            )
        ],
        "3.2": [
            (
                C,
                """\
class ConvNet(nn.Module):
    def __init__(self, n_classes=10):
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(3, 16, 5),
            nn.MaxPool2d(2),
            nn.Tanh(),
            nn.Conv2d(16, 128, 5),
            nn.MaxPool2d(2),
            nn.Tanh(),
        )
        self.classifier = nn.Sequential(nn.Linear(128 * 25, 64), nn.Tanh(), nn.Linear(64, n_classes))

    def forward(self, x):
        feats = self.features(x)
        return self.classifier(feats.reshape(len(feats), -1))
""",
            )
        ],
        "3.3": [
            (
                M,
                (
                    "A product of matrices is a matrix: linear layers stacked together are one "
                    "linear layer. The non-linearity breaks this."
                ),
            )
        ],
        "3.4": [
            (
                C,
                """\
net2 = ConvNet().to(device)
optimizer = optim.SGD(net2.parameters(), lr=0.01)
for epoch in range(1, 21):
    train(epoch, net2)
    test(net2)
fw = net2.features[0].weight.detach().cpu().numpy()
fig = plt.figure(figsize=(8, 4))
for i in range(fw.shape[0]):
    img = fw[i].transpose(1, 2, 0)
    img = (img - img.min()) / np.ptp(img)
    fig.add_subplot(2, 8, i + 1).imshow(img)
""",
            )
        ],
        "3.6": [
            (
                M,
                (
                    "Conv2d(3,16,5): 1216; Conv2d(16,128,5): 51328; Linear(3200,64): 204864; "
                    "Linear(64,10): 650; total 258058."
                ),
            )
        ],
    },
    "A2_SCHMIDT_Emil": {
        "1.1": [
            (
                M,
                (
                    "We use $\\frac{\\partial s}{\\partial \\theta} = \\frac{\\partial s}{\\partial Y_o}"
                    "\\frac{\\partial Y_o}{\\partial \\theta}$. The first factor is $-Y$ times the "
                    "sigmoid of $-Y Y_o$. For $W_o$ the second factor is the hidden activation, for "
                    "$b_o$ it is one, and for the first layer we go through the ReLU whose derivative "
                    "is the indicator of a positive input."
                ),
            )
        ],
        "1.2": [
            (
                C,
                """\
def gradient_nn(X, Y, Wi, bi, Wo, bo):
    # forward pass, one example
    hidden_in = np.dot(X, Wi) + bi
    hidden_out = np.maximum(hidden_in, 0)
    score = np.dot(hidden_out, Wo) + bo
    # backward pass
    dscore = -Y * sigm(-Y * score)
    dWo = dscore * hidden_out
    dhidden = dscore * Wo
    dhidden[hidden_in <= 0] = 0
    dWi = np.outer(X, dhidden)
    return dWi, dhidden, dWo, dscore
""",
            )
        ],
        "1.3": [
            (
                M,
                (
                    "The gradient is estimated with finite differences: for each coordinate we "
                    "compute the loss slightly above and slightly below and take the slope. The "
                    "formula is the symmetric difference quotient."
                ),
            )
        ],
        "1.6": [
            (
                C,
                """\
lrate = 0.02
errors_train, errors_val = train_loop(Xtr, Ytr, Xval, Yval, 7, 0.02)
plt.plot(errors_train)
plt.plot(errors_val)

final_train = []
for k in range(5):
    final_train.append(train_loop(Xtr, Ytr, Xval, Yval, 7, 0.02, vis='never'))
train_finals = []
for curves in final_train:
    train_finals.append(curves[0][-1])
val_finals = []
for curves in final_train:
    val_finals.append(curves[1][-1])
print('train:', train_finals)
print('val:', val_finals)
""",
            ),
            (M, "4 runs out of 5 end with no training error."),
        ],
        "1.7": [
            (
                M,
                (
                    "2 is too big and training fails. 0.2 works but oscillates, 0.02 is the "
                    "best trade off, 0.002 would need many more epochs to converge."
                ),
            )
        ],
        "1.8": [
            (
                C,
                """\
all_results = []
for nh in [1, 2, 5, 7, 10, 100]:
    runs = []
    for k in range(5):
        runs.append(train_loop(Xtr, Ytr, Xval, Yval, nh, 0.02, vis='never'))
    all_results.append(runs)
mean_val = []
for runs in all_results:
    mean_val.append(np.mean([r[1][-1] for r in runs]))
plt.plot([1, 2, 5, 7, 10, 100], mean_val, 'o-')
plt.xscale('log')
""",
            ),
            (
                M,
                (
                    "h = 1 and 2: underfitting, the boundary cannot bend enough. h >= 5: good fit. "
                    "h = 100: the fit is good as well and overfitting is limited."
                ),
            ),
        ],
        "2.1": [
            (
                M,
                (
                    "This kernel is the discrete Laplacian. It is applied with the same weights "
                    "to the red, green and blue channels and summed. Edges light up."
                ),
            )
        ],
        "3.2": [
            (
                C,
                """\
class ConvNet(nn.Module):
    def __init__(self):
        super(ConvNet, self).__init__()
        self.conv_a = nn.Conv2d(in_channels=3, out_channels=16, kernel_size=5)
        self.conv_b = nn.Conv2d(in_channels=16, out_channels=128, kernel_size=5)
        self.maxpool = nn.MaxPool2d(kernel_size=2)
        self.act = nn.Tanh()
        self.dense = nn.Linear(in_features=3200, out_features=64)
        self.out = nn.Linear(in_features=64, out_features=10)

    def forward(self, x):
        x = self.maxpool(self.act(self.conv_a(x)))
        x = self.maxpool(self.act(self.conv_b(x)))
        x = x.view(-1, 3200)
        x = self.act(self.dense(x))
        x = self.out(x)
        return x
""",
            )
        ],
        "3.3": [
            (
                M,
                (
                    "Because a composition of linear functions is still linear, and most "
                    "interesting problems like image classification are not linearly separable."
                ),
            )
        ],
        "3.4": [
            (
                C,
                """\
convnet = ConvNet().to(device)
optimizer = optim.SGD(convnet.parameters(), lr=0.01)
for epoch in range(1, 21):
    train(epoch, convnet)
    test(convnet)
weights = convnet.conv_a.weight.data.cpu()
images = []
for i in range(16):
    images.append((weights[i] - weights[i].min()) / (weights[i].max() - weights[i].min()))
for i, image in enumerate(images):
    plt.subplot(4, 4, i + 1)
    plt.imshow(image.permute(1, 2, 0).numpy())
""",
            )
        ],
        "3.6": [(M, "conv_a 1216, conv_b 51328, dense 204864, out 650 -> 258058 in total.")],
    },
    "A2_ROSSI_Francesca": {
        "1.1": [
            (
                M,
                (
                    "Chain rule, starting from the output. $\\partial s / \\partial Y_o = "
                    "\\sigma(Y_o) - \\frac{1 + Y}{2}$ for labels in $\\{-1, 1\\}$. This error signal "
                    "is then multiplied by $H$ for $W_o$, kept as is for $b_o$, and sent back through "
                    "$W_o$ and the ReLU mask to obtain the hidden gradients."
                ),
            )
        ],
        "1.2": [
            (
                C,
                """\
def gradient_nn(X, Y, Wi, bi, Wo, bo):
    x = X.reshape(-1, 1)
    pre_activation = Wi.T.dot(x).ravel() + bi
    activation = pre_activation.clip(min=0)
    output = activation.dot(Wo) + bo
    err = sigm(output) - (1 + Y) / 2
    back = err * Wo * np.heaviside(pre_activation, 0)
    return x.dot(back.reshape(1, -1)), back, err * activation, err
""",
            )
        ],
        "1.3": [
            (
                M,
                (
                    "$f'(x) \\approx \\frac{f(x + \\varepsilon) - f(x - \\varepsilon)}{2\\varepsilon}$ "
                    "(central differences). It follows from subtracting the two Taylor expansions "
                    "at $x + \\varepsilon$ and $x - \\varepsilon$."
                ),
            )
        ],
        "1.6": [
            (
                C,
                """\
lrate = 0.02
err_tr, err_va = train_loop(Xtr, Ytr, Xval, Yval, h=7, lr=0.02, vis='all')
_, ax = plt.subplots(1, 2, figsize=(10, 3))
ax[0].plot(err_tr)
ax[0].set_title('train')
ax[1].plot(err_va)
ax[1].set_title('val')

print('{:>5} {:>8} {:>8}'.format('trial', 'train', 'val'))
trial = 0
while trial < 5:
    tr_e, va_e = train_loop(Xtr, Ytr, Xval, Yval, h=7, lr=0.02, vis='never')
    print('{:>5} {:>8.2f} {:>8.2f}'.format(trial, tr_e[-1], va_e[-1]))
    trial += 1
""",
            ),
            (M, "In my runs the training error went to zero each time except trial 3."),
        ],
        "1.7": [
            (
                M,
                (
                    "The learning rate controls the step size. Too high (2): divergence; too low "
                    "(0.002): progress is slow and 100 epochs are not enough. 0.2 and 0.02 both "
                    "converge, 0.02 with less variance between runs."
                ),
            )
        ],
        "1.8": [
            (
                C,
                """\
def experiment(h_values, n_runs=5):
    out = np.empty((len(h_values), n_runs, 2))
    for i, hv in enumerate(h_values):
        for j in range(n_runs):
            res = train_loop(Xtr, Ytr, Xval, Yval, h=hv, lr=0.02, vis='never')
            out[i, j] = [r[-1] for r in res]
    return out

hs = np.array([1, 2, 5, 7, 10, 100])
E = experiment(hs)
plt.errorbar(hs, E[..., 1].mean(-1), E[..., 1].std(-1))
plt.xscale('log')
""",
            ),
            (
                M,
                (
                    "The validation error drops sharply from h = 2 to h = 5 and is flat after that. "
                    "Underfitting below five units."
                ),
            ),
        ],
        "2.1": [
            (
                M,
                (
                    "It is an edge detector: the 3x3 Laplacian. The kernel is shared by the "
                    "three channels and their responses are added. Detects rapid intensity changes."
                ),
            )
        ],
        "3.2": [
            (
                C,
                """\
class ConvNet(nn.Module):
    def __init__(self):
        super().__init__()
        layers = [nn.Conv2d(3, 16, 5), nn.Tanh(), nn.MaxPool2d(2, 2),
                  nn.Conv2d(16, 128, 5), nn.Tanh(), nn.MaxPool2d(2, 2)]
        self.body = nn.Sequential(*layers)
        self.head = nn.Sequential(nn.Flatten(), nn.Linear(3200, 64), nn.Tanh(), nn.Linear(64, 10))

    def forward(self, images):
        return self.head(self.body(images))
""",
            )
        ],
        "3.3": [
            (
                M,
                (
                    "Non-linear functions let the network approximate arbitrary functions "
                    "(universal approximation); without them the model is a linear classifier."
                ),
            )
        ],
        "3.4": [
            (
                C,
                """\
my_net = ConvNet().to(device)
optimizer = optim.SGD(my_net.parameters(), lr=0.01)
n_epochs = 20
for ep in range(n_epochs):
    train(ep, my_net)
    test(my_net)
kernels = my_net.body[0].weight.detach().cpu().numpy().transpose(0, 2, 3, 1)
kernels = (kernels - kernels.min()) / (kernels.max() - kernels.min())
_, axs = plt.subplots(4, 4)
for idx in range(16):
    axs[idx // 4][idx % 4].imshow(kernels[idx])
""",
            )
        ],
        "3.6": [(M, "1216 + 51328 + 204864 + 650 = 258058 parameters.")],
    },
    "A2_KIM_Gyu": {
        "1.1": [
            (
                M,
                (
                    "Gradients: dL/dbo = -Y sigm(-Y Yo); dL/dWo = dL/dbo * relu(X Wi + bi); "
                    "dL/dbi = dL/dbo * Wo * step(X Wi + bi); dL/dWi = outer(X, dL/dbi)."
                ),
            )
        ],
        "1.2": [
            (
                C,
                """\
def gradient_nn(X, Y, Wi, bi, Wo, bo):
    s = X.dot(Wi) + bi; h = s * (s > 0); o = h.dot(Wo) + bo
    g = -Y * sigm(-Y * o); gb = g * Wo * (s > 0)
    return np.multiply.outer(X, gb), gb, g * h, g
""",
            )
        ],
        "1.3": [(M, "central difference: [L(w+e) - L(w-e)] / 2e, error O(e^2).")],
        "1.6": [
            (
                C,
                """\
lrate = 0.02; curves = train_loop(Xtr, Ytr, Xval, Yval, 7, 0.02)
plt.plot(np.array(curves).T); plt.legend(['tr', 'val'])
res = np.array([[c[-1] for c in train_loop(Xtr, Ytr, Xval, Yval, 7, 0.02, 'never')] for i in range(5)])
print(res, (res[:, 0] == 0).all())
""",
            ),
            (M, "yes 0 every time"),
        ],
        "1.7": [(M, "2 diverges, 0.2 ok but noisy, 0.02 best, 0.002 too slow")],
        "1.8": [
            (
                C,
                """\
H = [1, 2, 5, 7, 10, 100]
R = np.array([[[c[-1] for c in train_loop(Xtr, Ytr, Xval, Yval, h, 0.02, 'never')] for i in range(5)] for h in H])
plt.errorbar(H, R.mean(1)[:, 1], R.std(1)[:, 1]); plt.xscale('log')
""",
            ),
            (M, "small h underfit, >=5 fine"),
        ],
        "2.1": [(M, "laplacian; same kernel on r,g,b summed; edges")],
        "3.2": [
            (
                C,
                """\
class ConvNet(nn.Module):
    def __init__(s):
        super().__init__()
        s.a, s.b = nn.Conv2d(3, 16, 5), nn.Conv2d(16, 128, 5)
        s.c, s.d = nn.Linear(3200, 64), nn.Linear(64, 10)
    def forward(s, x):
        x = F.max_pool2d(s.a(x), 2).tanh(); x = F.max_pool2d(s.b(x), 2).tanh()
        return s.d(s.c(x.flatten(1)).tanh())
""",
            )
        ],
        "3.3": [(M, "linear o linear = linear")],
        "3.4": [
            (
                C,
                """\
m = ConvNet().to(device); optimizer = optim.SGD(m.parameters(), lr=0.01)
for e in range(20): train(e, m); test(m)
W = m.a.weight.detach().cpu(); W = (W - W.min()) / (W.max() - W.min())
plt.imshow(torchvision.utils.make_grid(W, nrow=16).permute(1, 2, 0))
""",
            )
        ],
        "3.6": [(M, "1216, 51328, 204864, 650; 258058")],
    },
    "A2_SILVA_Helena": {
        "1.1": [
            (
                M,
                (
                    "**Derivation.** Let $a = W_i^\\top X + b_i$ be the hidden pre-activations and "
                    "$H = \\mathrm{ReLU}(a)$. The loss depends on the parameters only through "
                    "$Y_o$, and $\\frac{ds}{dY_o} = \\frac{-Y}{1 + \\exp(Y Y_o)}$. Hence the output layer "
                    "gradients are this quantity and this quantity times $H$. For the hidden layer, "
                    "$\\frac{\\partial s}{\\partial a_j} = \\frac{ds}{dY_o} W_{o,j} \\mathbb{1}[a_j > 0]$, "
                    "which is also the bias gradient, and the weight gradient is $X_i$ times it."
                ),
            )
        ],
        "1.2": [
            (
                C,
                '''\
def gradient_nn(X, Y, Wi, bi, Wo, bo):
    """Gradients of the logistic loss of one example with respect to the four parameters."""
    activations = np.dot(Wi.T, X) + bi          # shape (h,)
    hidden = np.maximum(activations, 0.0)
    Yo = float(np.dot(Wo, hidden) + bo)
    dloss_dYo = -Y / (1.0 + np.exp(Y * Yo))      # derivative of log(1 + exp(-Y Yo))
    grad_s_bo = dloss_dYo
    grad_s_Wo = dloss_dYo * hidden
    relu_mask = (activations > 0).astype(np.float64)
    grad_s_bi = dloss_dYo * Wo * relu_mask
    grad_s_Wi = X[:, np.newaxis] @ grad_s_bi[np.newaxis, :]
    return grad_s_Wi, grad_s_bi, grad_s_Wo, grad_s_bo
''',
            )
        ],
        "1.3": [
            (
                M,
                (
                    "**Finite differences.** Expanding $s$ to first order around a parameter value "
                    "$w$ gives $s(w + \\epsilon) \\approx s(w) + \\epsilon s'(w)$. Doing it on both "
                    "sides and subtracting yields the centred estimate "
                    "$s'(w) \\approx (s(w+\\epsilon) - s(w-\\epsilon)) / (2\\epsilon)$, "
                    "applied to every entry of every parameter."
                ),
            )
        ],
        "1.6": [
            (
                C,
                """\
lrate = 0.02  # the provided train_loop reads this global
training_curve, validation_curve = train_loop(Xtr, Ytr, Xval, Yval, h=7, lr=lrate, vis="all")
plt.figure(figsize=(6, 4))
plt.plot(training_curve, label="training error (%)")
plt.plot(validation_curve, label="validation error (%)")
plt.legend()
plt.show()

final_training_errors = np.zeros(5)
final_validation_errors = np.zeros(5)
for run_index in range(5):
    curves = train_loop(Xtr, Ytr, Xval, Yval, h=7, lr=lrate, vis="never")
    final_training_errors[run_index] = curves[0][-1]
    final_validation_errors[run_index] = curves[1][-1]
print("Final training errors:", final_training_errors)
print("Final validation errors:", final_validation_errors)
""",
            ),
            (
                M,
                (
                    "**Answer.** The training error reached exactly zero in all five runs, although the "
                    "number of epochs needed varied with the initialisation."
                ),
            ),
        ],
        "1.7": [
            (
                M,
                (
                    "**Discussion.** A learning rate of 2 is far too large: updates overshoot and the "
                    "network never converges. 0.2 converges in very few iterations but the error "
                    "curve is noisy. 0.02 needs more iterations yet ends lowest and most stable, so it "
                    "is the best choice. 0.002 improves too slowly to converge in 100 epochs."
                ),
            )
        ],
        "1.8": [
            (
                C,
                """\
hidden_unit_counts = [1, 2, 5, 7, 10, 100]
mean_training_errors, mean_validation_errors = [], []
std_training_errors, std_validation_errors = [], []
for number_of_hidden_units in hidden_unit_counts:
    finals = np.array([
        [curve[-1] for curve in train_loop(Xtr, Ytr, Xval, Yval, h=number_of_hidden_units, lr=lrate, vis="never")]
        for _ in range(5)
    ])
    mean_training_errors.append(finals[:, 0].mean())
    mean_validation_errors.append(finals[:, 1].mean())
    std_training_errors.append(finals[:, 0].std())
    std_validation_errors.append(finals[:, 1].std())
plt.errorbar(hidden_unit_counts, mean_training_errors, yerr=std_training_errors, label="training")
plt.errorbar(hidden_unit_counts, mean_validation_errors, yerr=std_validation_errors, label="validation")
plt.xscale("log")
plt.legend()
""",
            ),
            (
                M,
                (
                    "**Answer.** With one or two hidden units the network underfits: both errors stay "
                    "high. Between five and ten units the fit is good. With a hundred units the "
                    "training error is zero and the validation error slightly increases: mild overfitting."
                ),
            ),
        ],
        "2.1": [
            (
                M,
                (
                    "**i.** A Laplacian (second-derivative) filter. **ii.** The same filter is "
                    "convolved with each of R, G and B and the three responses are summed into a "
                    "single output channel. **iii.** It highlights edges, blobs and fine texture, "
                    "where the intensity changes quickly."
                ),
            )
        ],
        "3.2": [
            (
                C,
                '''\
class ConvNet(nn.Module):
    """Two tanh convolution blocks with max pooling, then two fully connected layers."""

    def __init__(self):
        super().__init__()
        self.first_convolution = nn.Conv2d(3, 16, kernel_size=5)
        self.second_convolution = nn.Conv2d(16, 128, kernel_size=5)
        self.hidden_layer = nn.Linear(128 * 5 * 5, 64)
        self.output_layer = nn.Linear(64, 10)

    def forward(self, images):
        features = F.max_pool2d(torch.tanh(self.first_convolution(images)), kernel_size=2)
        features = F.max_pool2d(torch.tanh(self.second_convolution(features)), kernel_size=2)
        features = features.reshape(features.shape[0], -1)
        return self.output_layer(torch.tanh(self.hidden_layer(features)))
''',
            )
        ],
        "3.3": [
            (
                M,
                (
                    "**Answer.** A composition of linear (affine) maps is itself linear, so without "
                    "non-linear activations the deep network would be no more expressive than a "
                    "single linear layer."
                ),
            )
        ],
        "3.4": [
            (
                C,
                """\
convolutional_network = ConvNet().to(device)
optimizer = optim.SGD(convolutional_network.parameters(), lr=0.01)
for epoch in range(1, 21):
    train(epoch, convolutional_network)
    test(convolutional_network)

first_layer_filters = convolutional_network.first_convolution.weight.detach().cpu()
figure, axes_grid = plt.subplots(2, 8, figsize=(16, 4))
for filter_index, axis in enumerate(axes_grid.flat):
    single_filter = first_layer_filters[filter_index]
    single_filter = (single_filter - single_filter.min()) / (single_filter.max() - single_filter.min())
    axis.imshow(single_filter.permute(1, 2, 0).numpy())
    axis.set_title(f"filter {filter_index}")
    axis.axis("off")
""",
            )
        ],
        "3.6": [
            (
                M,
                (
                    "**Answer.** first_convolution: 16 x 3 x 5 x 5 weights + 16 biases = 1,216. "
                    "second_convolution: 128 x 16 x 5 x 5 + 128 = 51,328. hidden_layer: 64 x 3200 + 64 "
                    "= 204,864. output_layer: 10 x 64 + 10 = 650. **Total: 258,058.**"
                ),
            )
        ],
    },
    "A2_IVANOV_Igor": {
        "1.2": [
            (
                C,
                """\
def gradient_nn(X, Y, Wi, bi, Wo, bo):
    layer1 = np.matmul(X, Wi) + bi
    active = layer1 > 0
    layer1_out = layer1 * active
    logit = np.matmul(layer1_out, Wo) + bo
    sig = 1.0 / (1.0 + np.exp(Y * logit))
    common = -Y * sig
    return (np.tensordot(X, common * Wo * active, axes=0),
            common * Wo * active,
            common * layer1_out,
            common)
""",
            )
        ],
        "1.6": [
            (
                C,
                """\
lrate = 0.02
t, v = train_loop(Xtr, Ytr, Xval, Yval, 7, 0.02, 'all', 100)
plt.plot(range(len(t)), t, range(len(v)), v)
summary = []
n = 0
while n < 5:
    t, v = train_loop(Xtr, Ytr, Xval, Yval, 7, 0.02, 'never', 100)
    summary += [(n, t[-1], v[-1])]
    n += 1
for line in summary:
    print(*line, sep='\\t')
""",
            )
        ],
        "1.8": [
            (
                C,
                """\
def run_h(nh):
    t_list, v_list = [], []
    for _ in range(5):
        t, v = train_loop(Xtr, Ytr, Xval, Yval, nh, 0.02, 'never', 100)
        t_list += [t[-1]]
        v_list += [v[-1]]
    return np.mean(t_list), np.std(t_list), np.mean(v_list), np.std(v_list)

table = {nh: run_h(nh) for nh in [1, 2, 5, 7, 10, 100]}
xs = sorted(table)
plt.errorbar(xs, [table[x][2] for x in xs], [table[x][3] for x in xs])
plt.gca().set_xscale('log')
""",
            )
        ],
        "3.2": [
            (
                C,
                """\
class ConvNet(nn.Module):
    def __init__(self):
        nn.Module.__init__(self)
        self.stage1 = nn.Sequential(nn.Conv2d(3, 16, (5, 5)), nn.MaxPool2d((2, 2)))
        self.stage2 = nn.Sequential(nn.Conv2d(16, 128, (5, 5)), nn.MaxPool2d((2, 2)))
        self.fc = nn.ModuleList([nn.Linear(5 * 5 * 128, 64), nn.Linear(64, 10)])

    def forward(self, batch):
        y = torch.tanh(self.stage2(torch.tanh(self.stage1(batch))))
        y = y.view(y.shape[0], 5 * 5 * 128)
        return self.fc[1](torch.tanh(self.fc[0](y)))
""",
            )
        ],
        "3.4": [
            (
                C,
                """\
ivan_net = ConvNet().to(device)
optimizer = torch.optim.SGD(ivan_net.parameters(), lr=0.01)
for i in range(20):
    train(i + 1, ivan_net)
    test(ivan_net)
w1 = ivan_net.stage1[0].weight.cpu().detach()
lo, hi = w1.amin(dim=(1, 2, 3), keepdim=True), w1.amax(dim=(1, 2, 3), keepdim=True)
w1 = (w1 - lo) / (hi - lo)
fig, grid = plt.subplots(1, 16, figsize=(16, 1))
for i in range(16):
    grid[i].imshow(w1[i].permute(1, 2, 0))
""",
            )
        ],
    },
}

Answer = list[tuple[str, str]]  # cells (kind, source) a student puts in a slot
Part = tuple[str, str]  # (task id, "code" | "answer")


@dataclass(frozen=True)
class Student:
    name: str  # file stem: A2_LASTNAME_Firstname
    answers: dict[str, Answer]
    copied_from: str | None = None  # the author whose whole notebook this copies
    year: str = "2020"  # the handout the notebook was started from
    origins: dict[Part, str] = field(default_factory=dict)  # parts taken from another author

    def origin(self, part: Part) -> str:
        """Whose work a part of this notebook is (the benchmark's truth)."""
        return self.origins.get(part, self.copied_from or self.name)

    def parts(self) -> set[Part]:
        return {
            (slot, "code" if kind == "code" else "answer")
            for slot, cells in self.answers.items()
            for kind, source in cells
            if source.strip()
        }


def _style(name: str, choices: int) -> int:
    """A student's habit (answer frames, placeholders, execution counts), fixed by their name."""
    return zlib.crc32(name.encode()) % choices


def _cell(kind: str, source: str) -> nbformat.NotebookNode:
    cell = v4.new_markdown_cell(source) if kind == "markdown" else v4.new_code_cell(source)
    cell.pop("id", None)  # nbformat 4.0, as Colab saves: no cell ids
    return cell


def _handout_slot(task: str) -> list[nbformat.NotebookNode]:
    cells = []
    if task in CODE_SLOTS:
        cells.append(_cell("code", CODE_PLACEHOLDERS.get(task, CODE_BLOCK + "\n")))
    if task in ANSWER_SLOTS:
        cells.append(_cell("markdown", ANSWER_FRAME))
    return cells


def _student_slot(student: Student, task: str) -> list[nbformat.NotebookNode]:
    """The student's answers where the handout's placeholders were, in the student's habits."""
    code = [s for k, s in student.answers.get(task, []) if k == "code"]
    prose = [s for k, s in student.answers.get(task, []) if k == "markdown"]
    cells = []
    if task in CODE_SLOTS or code:
        if not code:
            cells.append(_cell("code", CODE_PLACEHOLDERS.get(task, CODE_BLOCK + "\n")))
        for k, source in enumerate(code):
            keep_block = k == 0 and _style(student.name, 2) == 0  # left above their code
            cells.append(_cell("code", f"{CODE_BLOCK}\n{source}" if keep_block else source))
    if task in ANSWER_SLOTS or prose:
        if not prose:
            cells.append(_cell("markdown", ANSWER_FRAME))
        text = "\n\n".join(prose)
        style = _style(student.name, 3)
        if prose and style == 0:  # written between the frame's lines
            cells.append(_cell("markdown", f"{FRAME}\n\n{text}\n\n{FRAME}"))
        elif prose and style == 1:  # the frame cell replaced
            cells.append(_cell("markdown", text))
        elif prose:  # the frame left in place, the answer in a cell of its own
            cells += [_cell("markdown", ANSWER_FRAME), _cell("markdown", text)]
    return cells


def _notebook(cells: list[nbformat.NotebookNode], name: str) -> nbformat.NotebookNode:
    """A Colab notebook: nbformat 4.0. The cells go in after ``new_notebook``, whose validation
    would give them ids."""
    notebook = v4.new_notebook(
        metadata={
            "colab": {"name": f"{name}.ipynb", "provenance": []},
            "kernelspec": {"name": "python3", "display_name": "Python 3"},
            "accelerator": "GPU",
        },
    )
    notebook.nbformat_minor = 0
    notebook.cells = cells
    return notebook


def _course_year(year: str) -> str:
    return f"{year}/{int(year) + 1}"


def _fill(text: str, blanks: dict[str, str]) -> str:
    """The handout's ``{year}``, ``{student}``, ``{signature}`` blanks filled (not str.format:
    the cells hold LaTeX braces)."""
    for key, value in blanks.items():
        text = text.replace("{" + key + "}", value)
    return text


def template_notebook(year: str = "2020") -> nbformat.NotebookNode:
    """The blank handout of ``year`` as given to the students: the base file for similarity."""
    cells = []
    for kind, source in TEMPLATE:
        if kind == "slot":
            cells += _handout_slot(source)
        elif kind == "provided":
            cells.append(_cell("code", HANDOUTS[year][source]))
        else:
            blanks = {
                "year": _course_year(year),
                "student": "YOUR NAME HERE",
                "signature": "FILL IN YOUR NAME HERE",
            }
            cells.append(_cell(kind, _fill(source, blanks) if kind == "markdown" else source))
    return _notebook(cells, "A2")


def student_notebook(student: Student) -> nbformat.NotebookNode:
    """The student's year of the handout with their answers in its slots, signed and executed."""
    last, first = student.name.split("_")[1:3]
    cells = []
    for kind, source in TEMPLATE:
        if kind == "slot":
            cells += _student_slot(student, source)
        elif kind == "provided":
            cells.append(_cell("code", HANDOUTS[student.year][source]))
        elif kind == "markdown":
            blanks = {
                "year": _course_year(student.year),
                "student": f"{first} {last}",
                "signature": f"{first} {last}",
            }
            cells.append(_cell(kind, _fill(source, blanks)))
        else:
            cells.append(_cell(kind, source))
    _execution_counts(cells, _style(student.name[::-1], 3))
    return _notebook(cells, student.name)


def _execution_counts(cells: list[nbformat.NotebookNode], habit: int) -> None:
    """As real notebooks are saved: counted from 1, all null (outputs kept), or from 0."""
    code = [c for c in cells if c.cell_type == "code"]
    for k, cell in enumerate(code):
        cell.execution_count = None if habit == 1 else k + (habit == 0)
        if "gradcheck()" in cell.source:
            cell.outputs = [
                v4.new_output("stream", name="stdout", text="SUCCESS: Passed gradcheck.\n")
            ]


# ----------------------------------------------------------------------------- transformations
# Each takes a student's answers and returns the answers a copying student hands in.

Transform = Callable[[dict[str, Answer]], dict[str, Answer]]


def _map_code(answers: dict[str, Answer], fn: Callable[[str], str]) -> dict[str, Answer]:
    return {
        slot: [(k, fn(s) if k == "code" else s) for k, s in cells]
        for slot, cells in answers.items()
    }


def _map_text(answers: dict[str, Answer], fn: Callable[[str], str]) -> dict[str, Answer]:
    return {
        slot: [(k, fn(s) if k == "markdown" else s) for k, s in cells]
        for slot, cells in answers.items()
    }


KEEP = {
    "gradient_nn",
    "ConvNet",
    "forward",
    "__init__",
    "self",
    "np",
    "plt",
    "torch",
    "nn",
    "F",
    "optim",
    "train",
    "test",
    "lrate",
    "train_loop",
    "decision_boundary_nnet",
    "device",
    "optimizer",
    "Xtr",
    "Ytr",
    "Xval",
    "Yval",
    "sigm",
    "nnet_forward_logloss",
    "epochs",
    "lr",
}


def _bound_names(source: str) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            names.add(node.id)
        elif isinstance(node, ast.arg):
            names.add(node.arg)
        elif isinstance(node, (ast.FunctionDef, ast.ClassDef)):
            names.add(node.name)
    return names - KEEP


def rename(answers: dict[str, Answer]) -> dict[str, Answer]:
    """Every variable, parameter and helper the student named gets another name."""
    bound = set().union(
        *(_bound_names(s) for cells in answers.values() for k, s in cells if k == "code")
    )
    mapping = {
        name: f"{name[0]}{'x' if len(name) < 3 else name[-1]}_{i}"
        for i, name in enumerate(sorted(bound))
    }

    def in_braces(match: re.Match) -> str:
        return re.sub(
            r"[A-Za-z_]\w*", lambda m: mapping.get(m.group(0), m.group(0)), match.group(0)
        )

    def apply(source: str) -> str:
        out, depth, previous, in_def = [], 0, None, False
        tokens = list(tokenize.generate_tokens(io.StringIO(source).readline))
        for i, tok in enumerate(tokens):
            string = tok.string
            if tok.type == tokenize.OP:
                depth += string in "([{"
                depth -= string in ")]}"
                in_def = in_def and not (string == ":" and depth == 0)
            in_def = in_def or string == "def"
            following = tokens[i + 1].string if i + 1 < len(tokens) else ""
            keyword_arg = depth > 0 and following == "=" and not in_def
            if (
                tok.type == tokenize.NAME
                and string in mapping
                and previous != "."
                and not keyword_arg
            ):
                tok = tok._replace(string=mapping[string])
            elif tok.type == tokenize.STRING and string[:1] in "fF":
                tok = tok._replace(string=re.sub(r"\{[^{}:!]*", in_braces, string))
            out.append(tok)
            previous = string
        return tokenize.untokenize(out)

    return _map_code(answers, apply)


def reformat(answers: dict[str, Answer]) -> dict[str, Answer]:
    """Different spacing everywhere and blank lines between statements (comments kept)."""

    def apply(source: str) -> str:
        tokens = tokenize.generate_tokens(io.StringIO(source).readline)
        text = tokenize.untokenize((t.type, t.string) for t in tokens)
        return re.sub(r"\n(?=\S)", "\n\n", text)

    return _map_code(answers, apply)


def recomment(answers: dict[str, Answer]) -> dict[str, Answer]:
    """The student's comments removed, others added."""

    def apply(source: str) -> str:
        lines = []
        for i, line in enumerate(source.split("\n")):
            code = re.sub(r"\s*#.*$", "", line) if "'" not in line and '"' not in line else line
            if code.strip() == "" and line.strip().startswith("#"):
                continue
            indent = code[: len(code) - len(code.lstrip())]
            if i % 3 == 0 and code.strip():
                lines.append(f"{indent}# step {i // 3 + 1}: see the lecture notes")
            lines.append(code)
        return "\n".join(lines)

    return _map_code(answers, apply)


def reorder(answers: dict[str, Answer]) -> dict[str, Answer]:
    """Code answers moved to other cells of the notebook, functions of a cell reversed."""

    def reverse_top_level(source: str) -> str:
        tree = ast.parse(source)
        lines = source.split("\n")
        blocks = [
            "\n".join(
                lines[
                    n.lineno - 1 - len(n.decorator_list)
                    if hasattr(n, "decorator_list")
                    else n.lineno - 1 : n.end_lineno
                ]
            )
            for n in tree.body
        ]
        defs = [
            b for b, n in zip(blocks, tree.body) if isinstance(n, (ast.FunctionDef, ast.ClassDef))
        ]
        rest = [
            b
            for b, n in zip(blocks, tree.body)
            if not isinstance(n, (ast.FunctionDef, ast.ClassDef))
        ]
        return "\n\n".join(defs[::-1] + rest)

    moved = _map_code(answers, reverse_top_level)
    code_slots = [s for s in moved if any(k == "code" for k, _ in moved[s])]
    rotated = code_slots[1:] + code_slots[:1]
    result = dict(moved)
    for slot, new_slot in zip(code_slots, rotated):
        # the code of one task goes where the next task's code was; prose stays in place
        result[slot] = [c for c in moved[slot] if c[0] != "code"] + [
            c for c in moved[new_slot] if c[0] == "code"
        ]
    return result


class _LoopToComprehension(ast.NodeTransformer):
    """``xs = []`` then ``for t in it: xs.append(e)`` becomes ``xs = [e for t in it]``."""

    def __init__(self) -> None:
        self.replaced: list[tuple[int, int, str]] = []

    def generic_visit(self, node: ast.AST) -> ast.AST:
        body = getattr(node, "body", None)
        if isinstance(body, list):
            for first, second in itertools.pairwise(body):
                target = _append_target(first, second)
                if target is not None:
                    loop, element = second, second.body[0].value.args[0]
                    comp = ast.ListComp(element, [ast.comprehension(loop.target, loop.iter, [], 0)])
                    text = f"{target} = {ast.unparse(comp)}"
                    self.replaced.append((first.lineno, loop.end_lineno, text))
        return super().generic_visit(node)


def _append_target(first: ast.stmt, second: ast.stmt) -> str | None:
    if not (
        isinstance(first, ast.Assign)
        and len(first.targets) == 1
        and isinstance(first.targets[0], ast.Name)
        and isinstance(first.value, ast.List)
        and not first.value.elts
        and isinstance(second, ast.For)
        and len(second.body) == 1
        and isinstance(second.body[0], ast.Expr)
    ):
        return None
    call = second.body[0].value
    name = first.targets[0].id
    if (
        isinstance(call, ast.Call)
        and isinstance(call.func, ast.Attribute)
        and call.func.attr == "append"
        and isinstance(call.func.value, ast.Name)
        and call.func.value.id == name
        and len(call.args) == 1
    ):
        return name
    return None


def comprehension(answers: dict[str, Answer]) -> dict[str, Answer]:
    """Append loops rewritten as list comprehensions; every other line untouched."""

    def apply(source: str) -> str:
        finder = _LoopToComprehension()
        finder.visit(ast.parse(source))
        lines = source.split("\n")
        for first, last, text in sorted(finder.replaced, reverse=True):
            indent = lines[first - 1][: len(lines[first - 1]) - len(lines[first - 1].lstrip())]
            lines[first - 1 : last] = [indent + text]
        return "\n".join(lines)

    return _map_code(answers, apply)


def pad(answers: dict[str, Answer]) -> dict[str, Answer]:
    """A no-op statement (``_n1 = None``, ``_n2 = None``…) after every statement of every
    function: the copy still runs the same, but no k-gram of the original survives it."""

    def apply(source: str) -> str:
        try:
            tree = ast.parse(source)
        except SyntaxError:
            return source
        lines = source.split("\n")
        after: dict[int, list[str]] = {}  # line -> indentations of the statements ending there
        functions = [n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef)]
        for function in functions:
            for node in ast.walk(function):
                if isinstance(node, ast.stmt) and node is not function:
                    line = lines[node.lineno - 1]
                    indent = line[: len(line) - len(line.lstrip())]
                    ends = after.setdefault(node.end_lineno or node.lineno, [])
                    if indent not in ends:
                        ends.append(indent)
        padded, count = [], 0
        for number, line in enumerate(lines, start=1):
            padded.append(line)
            for indent in sorted(after.get(number, ()), key=len, reverse=True):
                count += 1
                padded.append(f"{indent}_n{count} = None")
        return "\n".join(padded)

    return _map_code(answers, apply)


SYNONYMS = {
    "because": "since",
    "the": "the",
    "we": "one",
    "is": "is",
    "gradient": "derivative",
    "network": "model",
    "error": "errors",
    "very": "really",
    "learning rate": "step size",
    "small": "tiny",
    "large": "big",
    "function": "map",
    "can": "could",
}


def edit_prose(answers: dict[str, Answer]) -> dict[str, Answer]:
    """Written answers copied with light edits: a few words swapped, one sentence dropped."""

    def apply(text: str) -> str:
        for old, new in SYNONYMS.items():
            text = re.sub(rf"\b{old}\b", new, text, count=1)
        sentences = re.split(r"(?<=\.) ", text)
        return " ".join(sentences[:-1] if len(sentences) > 3 else sentences)

    return _map_text(answers, apply)


TRANSFORMS: dict[str, Transform] = {
    "rename": rename,
    "reformat": reformat,
    "comments": recomment,
    "reorder": reorder,
    "comprehension": comprehension,
    "pad": pad,
}


def copy_of(author: Student, name: str, transforms: list[str], prose: bool = True) -> Student:
    """A whole notebook copied, then disguised with ``transforms`` (and edited prose)."""
    answers = author.answers
    for t in transforms:
        answers = TRANSFORMS[t](answers)
    if prose:
        answers = edit_prose(answers)
    return Student(
        name=name,
        answers=answers,
        copied_from=author.copied_from or author.name,
        year=author.year,
        origins=dict(author.origins),
    )


def take_part(
    receiver: Student, source: Student, task: str, kind: str, transforms: list[str]
) -> Student:
    """``receiver``'s own notebook with one part (a task's code or answer) copied from ``source``,
    disguised: code with ``transforms``, prose with light edits."""
    cell_kind = "code" if kind == "code" else "markdown"
    taken = {task: [c for c in source.answers.get(task, []) if c[0] == cell_kind]}
    for t in transforms if kind == "code" else []:
        taken = TRANSFORMS[t](taken)
    if kind == "answer":
        taken = edit_prose(taken)
    own = [c for c in receiver.answers.get(task, []) if c[0] != cell_kind]
    answers = {**receiver.answers, task: own + taken[task]}
    origins = {**receiver.origins, (task, kind): source.origin((task, kind))}
    return replace(receiver, answers=answers, origins=origins)


def authors() -> list[Student]:
    return [Student(name=name, answers=answers) for name, answers in AUTHORS.items()]


def corpus() -> list[Student]:
    """Independent authors, and whole copies: one per transformation, all of them, a chain of
    three, and a student who wrote their own code but copied someone's written answers. Three
    authors (and so their copies: 7 of the 17 notebooks) work from the 2019 handout."""
    people = [replace(p, year="2019") if k % 3 == 0 else p for k, p in enumerate(authors())]
    by = {p.name: p for p in people}
    names = list(by)
    copies = [
        copy_of(by[names[0]], "A2_RENAMED_Rosa", ["rename"]),
        copy_of(by[names[1]], "A2_REFORMATTED_Remi", ["reformat"]),
        copy_of(by[names[2]], "A2_COMMENTED_Carla", ["comments"]),
        copy_of(by[names[3]], "A2_REORDERED_Oscar", ["reorder"]),
        copy_of(by[names[4]], "A2_LOOPLESS_Lea", ["comprehension"]),
        copy_of(
            by[names[5]],
            "A2_EVERYTHING_Eva",
            ["rename", "reformat", "comments", "reorder", "comprehension"],
        ),
    ]
    first = copy_of(by[names[6]], "A2_CHAIN_One", ["rename"])
    second = copy_of(first, "A2_CHAIN_Two", ["reformat", "comments"])
    own_code = dict(by[names[8]].answers)
    prose_from = edit_prose(by[names[7]].answers)
    prose_only = Student(
        name="A2_PROSE_Paul",
        answers={
            slot: [c for c in own_code.get(slot, []) if c[0] == "code"]
            + [c for c in prose_from.get(slot, []) if c[0] == "markdown"]
            for slot in set(own_code) | set(prose_from)
        },
        origins={(slot, "answer"): names[7] for slot in prose_from},
    )
    return people[:8] + copies + [first, second, prose_only]


#: One part copied into otherwise original work: (receiver, source, task, kind, disguise), by
#: author position. Every pair of authors appears once at most, and no copied part is itself
#: replaced, so each case is exactly one shared part between exactly two students.
SINGLE_PART_COPIES: list[tuple[int, int, str, str, list[str]]] = [
    (1, 0, "1.2", "code", ["rename"]),
    (2, 5, "3.2", "code", ["reformat", "comments"]),
    (3, 6, "1.8", "code", ["rename", "reformat"]),
    (4, 7, "1.6", "code", ["comments"]),
    (8, 2, "3.4", "code", ["rename"]),
    (5, 8, "1.2", "code", ["rename", "reformat", "comments"]),
    (0, 3, "1.1", "answer", []),
    (6, 1, "1.3", "answer", []),
    (7, 5, "1.7", "answer", []),
    (2, 6, "2.1", "answer", []),
    (3, 5, "3.3", "answer", []),
    (8, 7, "3.6", "answer", []),
    (4, 0, "1.8", "answer", []),
]


def single_part_corpus() -> list[Student]:
    """The nine authors, each otherwise original, with the parts of ``SINGLE_PART_COPIES``
    copied between them; five of the nine work from the 2019 handout."""
    pristine = authors()
    people = [
        replace(p, year="2019") if k in (1, 3, 5, 7, 8) else p for k, p in enumerate(pristine)
    ]
    for receiver, source, task, kind, disguise in SINGLE_PART_COPIES:
        people[receiver] = take_part(people[receiver], pristine[source], task, kind, disguise)
    return people


def copied_parts(a: Student, b: Student) -> set[Part]:
    """The parts both students hand in that come from the same author (the benchmark's truth)."""
    return {part for part in a.parts() & b.parts() if a.origin(part) == b.origin(part)}


def is_copy_pair(a: Student, b: Student) -> bool:
    """Whether two students share any part of their work (the benchmark's truth)."""
    return bool(copied_parts(a, b))


def save(notebook: nbformat.NotebookNode, path: Path) -> Path:
    """Write ``notebook`` as Colab saves it. Not ``nbformat.writes``: it gives every cell an id,
    which makes a 4.0 notebook invalid (cell ids are 4.5's)."""
    path.write_text(json.dumps(notebook, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    return path


def write(students: list[Student], folder: Path) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    return [save(student_notebook(s), folder / f"{s.name}.ipynb") for s in students]


def write_template(path: Path, year: str = "2020") -> Path:
    """The blank handout of ``year``, as the instructor would pass it with ``--base``."""
    path.parent.mkdir(parents=True, exist_ok=True)
    return save(template_notebook(year), path)


def write_corpus(out: Path, students: list[Student] | None = None) -> tuple[Path, list[Student]]:
    """Write the 2020 and 2019 handouts and the corpus; return the 2020 handout's path and the
    students (``corpus()`` unless given)."""
    template = write_template(out / "template.ipynb")
    write_template(out / "template_2019.ipynb", "2019")
    students = corpus() if students is None else students
    write(students, out / "submissions")
    return template, students


if __name__ == "__main__":
    target = Path(sys.argv[1] if len(sys.argv) > 1 else "similarity-corpus")
    write_corpus(target / "whole-copies")
    write_corpus(target / "single-parts", single_part_corpus())
    print(f"corpora written to {target}")
