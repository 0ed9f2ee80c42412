# ruff: noqa - a verbatim copy of code students were given: not restyled, not fixed
"""The handout's provided code, AS HANDED OUT to students (code they did not write).

A faithful copy, kept as the base other parts of the project compare against. It is
deliberately not fixed: ``sigm`` evaluates ``np.exp`` on both branches of ``np.where``
(overflow warnings, 0-d arrays for scalars), the numerical gradient stores the shape-(1,)
losses that ``bo`` of shape (1,) produces into array cells (deprecated in NumPy 1.25, an
error on NumPy 2), and ``train_loop`` updates with the notebook global ``lrate`` instead of
its ``lr`` argument. It runs on the pinned NumPy 1.26.

Names the notebook defines elsewhere are module globals here, as they were in the kernel:
``gradient_nn`` (the student's task 1.2) and ``lrate``; callers set them before use.
Part 3's ``train``/``test`` read the globals ``train_loader``, ``test_loader``,
``optimizer``, ``device``, ``epochs``/``log_interval`` likewise.
"""

import matplotlib.pyplot as plt
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

# ---------------------------------------------------------------- Part 1


def sigm(x):
    # Returns the sigmoid of x
    # Small trick to avoid overflow warnings: values below -20 are set to 0
    return np.where(x > -20, 1.0 / (1.0 + np.exp(-x)), 0.0)


def nnet_forward_logloss(X, Y, Wi, bi, Wo, bo):
    """
    Compute the output Po, Yo and the loss of the network for the input X
    This is a 2 layer (1 hidden layer network)

    Input:
        X ... (in R^2) set of input points, one per row
        Y ... set of labels {-1, +1}
        Wi ... first layer weights
        bi ... first layer bias
        Wo ... second layer weights
        bo ... second layer bias
    Output:
        Po ... probabilisitc output of the network P(class=1|x)
        Yo ... output of the network
        loss ... logistic loss
    """
    # Hidden layer
    H = np.maximum(0, np.dot(X, Wi) + bi)
    # Output layer
    Yo = np.dot(H, Wo) + bo
    # Probabilistic output
    Po = sigm(Yo)
    # Logistic loss
    loss = np.log(1 + np.exp(-Y * Yo))
    return Po, Yo, loss


def decision_boundary_nnet(X, Y, Wi, bi, Wo, bo):
    figsize = (6, 4)
    x_min, x_max = -2, 4
    y_min, y_max = -5, 3
    xx, yy = np.meshgrid(np.arange(x_min, x_max, 0.05), np.arange(y_min, y_max, 0.05))
    XX = np.vstack((xx.ravel(), yy.ravel())).T
    input_hidden = np.dot(XX, Wi) + bi
    hidden = np.maximum(0, input_hidden)
    Z = np.sign(np.dot(hidden, Wo) + bo)
    Z = Z.reshape(xx.shape)
    plt.figure(figsize=figsize)
    plt.contourf(xx, yy, Z, cmap=plt.cm.Paired, alpha=0.8)
    plt.scatter(X[:, 0], X[:, 1], c=Y, cmap=plt.cm.Paired, edgecolors="k")
    plt.xlim(xx.min(), xx.max())
    plt.ylim(yy.min(), yy.max())
    plt.xticks(())
    plt.yticks(())
    plt.show()


def gradient_nn(X, Y, Wi, bi, Wo, bo):
    # TODO: the student's task 1.2
    raise NotImplementedError("gradient_nn is the student's task")


def sumelement_matrix(X, i, j, element):
    Y = np.copy(X)
    Y[i, j] = X[i, j] + element
    return Y


def sumelement_vector(X, i, element):
    Y = np.copy(X)
    Y[i] = X[i] + element
    return Y


def gradient_nn_numerical(X, Y, Wi, bi, Wo, bo):
    """
    Compute numerical gradient of the logistic loss w.r.t. all parameters
    Input: same as gradient_nn
    Output: grad_s_Wi_numerical, grad_s_bi_numerical, grad_s_Wo_numerical, grad_s_bo_numerical
    """
    eps = 1e-8
    grad_s_Wi_numerical = np.zeros(Wi.shape)
    grad_s_bi_numerical = np.zeros(bi.shape)
    grad_s_Wo_numerical = np.zeros(Wo.shape)
    for i in range(Wi.shape[0]):
        for j in range(Wi.shape[1]):
            _, _, loss_plus = nnet_forward_logloss(X, Y, sumelement_matrix(Wi, i, j, eps), bi, Wo, bo)
            _, _, loss_minus = nnet_forward_logloss(X, Y, sumelement_matrix(Wi, i, j, -eps), bi, Wo, bo)
            grad_s_Wi_numerical[i, j] = (loss_plus - loss_minus) / (2 * eps)
    for i in range(bi.shape[0]):
        _, _, loss_plus = nnet_forward_logloss(X, Y, Wi, sumelement_vector(bi, i, eps), Wo, bo)
        _, _, loss_minus = nnet_forward_logloss(X, Y, Wi, sumelement_vector(bi, i, -eps), Wo, bo)
        grad_s_bi_numerical[i] = (loss_plus - loss_minus) / (2 * eps)
    for i in range(Wo.shape[0]):
        _, _, loss_plus = nnet_forward_logloss(X, Y, Wi, bi, sumelement_vector(Wo, i, eps), bo)
        _, _, loss_minus = nnet_forward_logloss(X, Y, Wi, bi, sumelement_vector(Wo, i, -eps), bo)
        grad_s_Wo_numerical[i] = (loss_plus - loss_minus) / (2 * eps)
    _, _, loss_plus = nnet_forward_logloss(X, Y, Wi, bi, Wo, bo + eps)
    _, _, loss_minus = nnet_forward_logloss(X, Y, Wi, bi, Wo, bo - eps)
    grad_s_bo_numerical = (loss_plus - loss_minus) / (2 * eps)
    return grad_s_Wi_numerical, grad_s_bi_numerical, grad_s_Wo_numerical, grad_s_bo_numerical


def gradcheck():
    # Check gradient_nn against gradient_nn_numerical on random values
    d = 2  # input dimension
    h = 3  # number of hidden units
    for n in range(1000):
        X = np.random.randn(d)
        Y = np.random.choice([-1, 1])
        Wi = np.random.randn(d, h)
        bi = np.random.randn(h)
        Wo = np.random.randn(h)
        bo = np.random.randn(1)
        grad_s_Wi, grad_s_bi, grad_s_Wo, grad_s_bo = gradient_nn(X, Y, Wi, bi, Wo, bo)
        grad_s_Wi_num, grad_s_bi_num, grad_s_Wo_num, grad_s_bo_num = gradient_nn_numerical(
            X, Y, Wi, bi, Wo, bo
        )
        if np.mean(np.abs(grad_s_Wi - grad_s_Wi_num)) > 1e-6:
            return False
        if np.mean(np.abs(grad_s_bi - grad_s_bi_num)) > 1e-6:
            return False
        if np.mean(np.abs(grad_s_Wo - grad_s_Wo_num)) > 1e-6:
            return False
        if np.mean(np.abs(grad_s_bo - grad_s_bo_num)) > 1e-6:
            return False
    return True


def train_loop(Xtr, Ytr, Xval, Yval, h, lr, vis="all", nEpochs=100):
    # Random initialization of the parameters
    Wi = np.random.randn(2, h)
    bi = np.zeros(h)
    Wo = np.zeros(h)
    bo = 0.0

    nSamples = Xtr.shape[0]
    tr_error = np.zeros(nEpochs * nSamples)
    val_error = np.zeros(nEpochs * nSamples)

    # Run for nEpochs epochs
    for i in range(nEpochs * nSamples):
        # Randomly select a training example
        it = np.random.randint(nSamples)
        X = Xtr[it, :]
        Y = Ytr[it]

        # Compute the gradient
        grad_s_Wi, grad_s_bi, grad_s_Wo, grad_s_bo = gradient_nn(X, Y, Wi, bi, Wo, bo)

        # Gradient update
        Wi = Wi - lrate * grad_s_Wi  # noqa: F821 - the notebook global, as handed out
        bi = bi - lrate * grad_s_bi  # noqa: F821
        Wo = Wo - lrate * grad_s_Wo  # noqa: F821
        bo = bo - lrate * grad_s_bo  # noqa: F821

        # Compute the training and validation errors
        _, Yo, _ = nnet_forward_logloss(Xtr, Ytr, Wi, bi, Wo, bo)
        tr_error[i] = 100 * np.mean(np.sign(Yo) != Ytr)
        _, Yo, _ = nnet_forward_logloss(Xval, Yval, Wi, bi, Wo, bo)
        val_error[i] = 100 * np.mean(np.sign(Yo) != Yval)

        # Plot the decision boundary and the errors every 10 epochs
        if vis == "all" and i % (10 * nSamples) == 0:
            decision_boundary_nnet(Xtr, Ytr, Wi, bi, Wo, bo)
    if vis in ("all", "last"):
        decision_boundary_nnet(Xtr, Ytr, Wi, bi, Wo, bo)
        plt.figure()
        plt.plot(tr_error, label="training error")
        plt.plot(val_error, label="validation error")
        plt.legend()
        plt.show()
    return tr_error, val_error


# ---------------------------------------------------------------- Part 3


class Net(nn.Module):
    def __init__(self, num_inputs, num_outputs):
        super(Net, self).__init__()
        self.num_inputs = num_inputs
        self.linear = nn.Linear(num_inputs, num_outputs)

    def forward(self, input):
        input = input.view(-1, self.num_inputs)  # reshape input to batch x num_inputs
        output = self.linear(input)
        return output


def train(epoch, network):
    network.train()
    for batch_idx, (data, target) in enumerate(train_loader):  # noqa: F821
        data, target = data.to(device), target.to(device)  # noqa: F821
        optimizer.zero_grad()  # noqa: F821
        output = network(data)
        loss = F.cross_entropy(output, target)
        loss.backward()
        optimizer.step()  # noqa: F821
        if batch_idx % log_interval == 0:  # noqa: F821
            print(
                "Train Epoch: {} [{}/{} ({:.0f}%)]\tLoss: {:.6f}".format(
                    epoch,
                    batch_idx * len(data),
                    len(train_loader.dataset),  # noqa: F821
                    100.0 * batch_idx / len(train_loader),  # noqa: F821
                    loss.item(),
                )
            )


def test(network):
    network.eval()
    test_loss = 0
    correct = 0
    with torch.no_grad():
        for data, target in test_loader:  # noqa: F821
            data, target = data.to(device), target.to(device)  # noqa: F821
            output = network(data)
            test_loss += F.cross_entropy(output, target, reduction="sum").item()
            pred = output.max(1, keepdim=True)[1]
            correct += pred.eq(target.view_as(pred)).sum().item()
    test_loss /= len(test_loader.dataset)  # noqa: F821
    print(
        "\nTest set: Average loss: {:.4f}, Accuracy: {}/{} ({:.0f}%)\n".format(
            test_loss,
            correct,
            len(test_loader.dataset),  # noqa: F821
            100.0 * correct / len(test_loader.dataset),  # noqa: F821
        )
    )
