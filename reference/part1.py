"""Part 1 reference: a two-layer ReLU network in NumPy, its gradients and the training loop.

The functions the grader may inject into a student's namespace (``sigm``,
``nnet_forward_logloss``, ``gradient_nn``, ``sumelement_matrix``, ``sumelement_vector``,
``gradient_nn_numerical``) use only ``np`` and each other, so that ``inspect.getsource`` of
any of them can be executed in a namespace that holds ``np``.

Numerics: float64 throughout, and no floating-point warning (not even underflow) for any
finite input, because exponentials are only taken of arguments clamped to [-700, 0].
"""

import matplotlib.pyplot as plt
import numpy as np


def sigm(x):
    """Logistic sigmoid, computed without overflow or underflow for any finite x."""
    x = np.asarray(x, dtype=np.float64)
    e = np.exp(-np.minimum(np.abs(x), 700.0))
    return np.where(x >= 0, 1.0 / (1.0 + e), e / (1.0 + e))[()]


def nnet_forward_logloss(X, Y, Wi, bi, Wo, bo):
    """Forward pass: returns (Po, Yo, loss) with the per-example loss log(1 + exp(-Y*Yo)).

    X is one example of shape (d,) or a batch N x d; loss is then a scalar or a vector.
    """
    H = np.maximum(np.dot(X, Wi) + bi, 0.0)
    Yo = np.dot(H, Wo) + bo
    Po = sigm(Yo)
    t = -np.asarray(Y, dtype=np.float64) * Yo
    loss = np.maximum(t, 0.0) + np.log1p(np.exp(-np.minimum(np.abs(t), 700.0)))
    return Po, Yo, loss


def gradient_nn(X, Y, Wi, bi, Wo, bo):
    """Gradient of the loss of one example (X of shape (d,)) by the chain rule.

    Returns (grad_s_Wi [d x h], grad_s_bi [h], grad_s_Wo [h], grad_s_bo) where grad_s_bo has
    the shape of bo (scalar or (1,)).
    """
    Z = np.dot(X, Wi) + bi
    H = np.maximum(Z, 0.0)
    Yo = np.dot(H, Wo) + bo
    t = np.asarray(Y, dtype=np.float64) * Yo
    # ds/dYo = -Y * sigma(-Y*Yo), sigma computed without overflow or underflow
    e = np.exp(-np.minimum(np.abs(t), 700.0))
    sigma_minus_t = np.where(t >= 0, e / (1.0 + e), 1.0 / (1.0 + e))
    grad_s_Yo = -np.asarray(Y, dtype=np.float64) * sigma_minus_t
    grad_s_bo = grad_s_Yo[()]
    grad_s_Wo = grad_s_Yo * H
    grad_s_bi = grad_s_Yo * Wo * (Z > 0)
    grad_s_Wi = np.outer(X, grad_s_bi)
    return grad_s_Wi, grad_s_bi, grad_s_Wo, grad_s_bo


def sumelement_matrix(X, i, j, element):
    """Copy of the matrix X with `element` added to entry (i, j)."""
    Y = np.array(X, dtype=np.float64, copy=True)
    Y[i, j] = Y[i, j] + element
    return Y


def sumelement_vector(X, i, element):
    """Copy of the vector X with `element` added to entry i."""
    Y = np.array(X, dtype=np.float64, copy=True)
    Y[i] = Y[i] + element
    return Y


def gradient_nn_numerical(X, Y, Wi, bi, Wo, bo):
    """Central-difference gradient (s(theta + eps e_i) - s(theta - eps e_i)) / (2 eps).

    Same return convention as gradient_nn: grad_s_bo has the shape of bo.
    """
    eps = 1e-6

    def s(Wi_, bi_, Wo_, bo_):
        return np.sum(nnet_forward_logloss(X, Y, Wi_, bi_, Wo_, bo_)[2])

    grad_s_Wi = np.zeros(np.shape(Wi))
    for i in range(grad_s_Wi.shape[0]):
        for j in range(grad_s_Wi.shape[1]):
            grad_s_Wi[i, j] = (
                s(sumelement_matrix(Wi, i, j, eps), bi, Wo, bo)
                - s(sumelement_matrix(Wi, i, j, -eps), bi, Wo, bo)
            ) / (2 * eps)
    grad_s_bi = np.zeros(np.shape(bi))
    for i in range(grad_s_bi.shape[0]):
        grad_s_bi[i] = (
            s(Wi, sumelement_vector(bi, i, eps), Wo, bo)
            - s(Wi, sumelement_vector(bi, i, -eps), Wo, bo)
        ) / (2 * eps)
    grad_s_Wo = np.zeros(np.shape(Wo))
    for i in range(grad_s_Wo.shape[0]):
        grad_s_Wo[i] = (
            s(Wi, bi, sumelement_vector(Wo, i, eps), bo)
            - s(Wi, bi, sumelement_vector(Wo, i, -eps), bo)
        ) / (2 * eps)
    g_bo = (s(Wi, bi, Wo, bo + eps) - s(Wi, bi, Wo, bo - eps)) / (2 * eps)
    grad_s_bo = np.full(np.shape(bo), g_bo)[()]
    return grad_s_Wi, grad_s_bi, grad_s_Wo, grad_s_bo


def gradcheck(seed=None) -> bool:
    """The handout's check: 1000 draws (h = 3, bo of shape (1,)); False as soon as the mean
    absolute difference of any parameter's gradients exceeds 1e-6."""
    rng = np.random.default_rng(seed)
    d, h = 2, 3
    for _ in range(1000):
        X = rng.standard_normal(d)
        Y = rng.choice([-1, 1])
        Wi = rng.standard_normal((d, h))
        bi = rng.standard_normal(h)
        Wo = rng.standard_normal(h)
        bo = rng.standard_normal(1)
        analytical = gradient_nn(X, Y, Wi, bi, Wo, bo)
        numerical = gradient_nn_numerical(X, Y, Wi, bi, Wo, bo)
        for g, g_num in zip(analytical, numerical):
            if np.mean(np.abs(np.asarray(g) - np.asarray(g_num))) > 1e-6:
                return False
    return True


def decision_boundary_nnet(X, Y, Wi, bi, Wo, bo):
    """Plot the decision regions on the window x in [-2, 4], y in [-5, 3], points on top."""
    x_min, x_max = -2, 4
    y_min, y_max = -5, 3
    xx, yy = np.meshgrid(np.arange(x_min, x_max, 0.05), np.arange(y_min, y_max, 0.05))
    grid = np.c_[xx.ravel(), yy.ravel()]
    _, Yo, _ = nnet_forward_logloss(grid, np.ones(len(grid)), Wi, bi, Wo, bo)
    Z = np.sign(Yo).reshape(xx.shape)
    plt.contourf(xx, yy, Z, levels=[-2, 0, 2], colors=["#9ecae1", "#fdae6b"], alpha=0.8)
    Y = np.ravel(Y)
    plt.scatter(X[Y < 0, 0], X[Y < 0, 1], s=6, c="#08519c", label="Y = -1")
    plt.scatter(X[Y > 0, 0], X[Y > 0, 1], s=6, c="#a63603", label="Y = +1")
    plt.xlim(x_min, x_max)
    plt.ylim(y_min, y_max)


def train_loop(Xtr, Ytr, Xval, Yval, h, lr, vis="all", nEpochs=100, rng=None):
    """SGD, one random example per step, nEpochs * nSamples steps, updating with `lr`.

    Init Wi ~ N(0, 1), bi = Wo = 0, bo = 0. Records the training and validation error in
    percent after every step. vis: 'all' draws the final decision boundary and the error
    curves, 'last' only the final decision boundary (into the current figure), 'never'
    nothing. rng: a seed or numpy Generator, for reproducible runs.
    """
    rng = np.random.default_rng(rng)
    Xtr = np.asarray(Xtr, dtype=np.float64)
    Xval = np.asarray(Xval, dtype=np.float64)
    Ytr = np.ravel(Ytr)
    Yval = np.ravel(Yval)
    nSamples = Xtr.shape[0]
    Wi = rng.standard_normal((Xtr.shape[1], h))
    bi = np.zeros(h)
    Wo = np.zeros(h)
    bo = 0.0
    nIter = nEpochs * nSamples
    tr_error = np.zeros(nIter)
    val_error = np.zeros(nIter)
    # both sets in one product per step: only the sign of Yo is needed for the errors
    X_all = np.concatenate([Xtr, Xval])
    Y_all = np.concatenate([Ytr, Yval])
    for it, ind in enumerate(rng.integers(nSamples, size=nIter)):
        grad_s_Wi, grad_s_bi, grad_s_Wo, grad_s_bo = gradient_nn(
            Xtr[ind], Ytr[ind], Wi, bi, Wo, bo
        )
        Wi = Wi - lr * grad_s_Wi
        bi = bi - lr * grad_s_bi
        Wo = Wo - lr * grad_s_Wo
        bo = bo - lr * grad_s_bo
        wrong = np.sign(np.dot(np.maximum(np.dot(X_all, Wi) + bi, 0.0), Wo) + bo) != Y_all
        tr_error[it] = 100 * np.count_nonzero(wrong[:nSamples]) / nSamples
        val_error[it] = 100 * np.count_nonzero(wrong[nSamples:]) / len(Yval)
    if vis == "all":
        plt.figure(figsize=(9, 3.5))
        plt.subplot(1, 2, 1)
        decision_boundary_nnet(Xtr, Ytr, Wi, bi, Wo, bo)
        plt.title(f"h = {h}, lr = {lr}")
        plt.subplot(1, 2, 2)
        plt.plot(tr_error, label="training error")
        plt.plot(val_error, label="validation error")
        plt.xlabel("iteration")
        plt.ylabel("error (%)")
        plt.legend()
        plt.show()
    elif vis == "last":
        decision_boundary_nnet(Xtr, Ytr, Wi, bi, Wo, bo)
    return tr_error, val_error
