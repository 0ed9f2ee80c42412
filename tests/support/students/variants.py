"""Code a student could have written, one string per variant; the builder splices them in.

Grouped as the corpus is: CORRECT styles (full marks), seeded BUGS (one task loses),
HOSTILE code (the grader must contain it). Each string replaces the definition(s) of the
same name(s) in the reference notebook, so it must define them at top level.
"""

from pathlib import Path

import grader

#: The checkout under test. Hostile code aims at it by its real path, so that a grader that
#: exposed it would be caught in any clone (a hard-coded path passes trivially elsewhere).
CHECKOUT = Path(grader.__file__).resolve().parents[1]


def _aimed(source: str) -> str:
    """``source`` with the name ``CHECKOUT`` written as the checkout's path (a string literal)."""
    return source.replace("CHECKOUT", repr(str(CHECKOUT)))


# ================================================================ shared forms

#: The handout's network as most students write it (F.max_pool2d, torch.tanh): the corpus's
#: seeded ConvNet bugs change one thing in it.
CONVNET = """
class ConvNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(3, 16, 5)
        self.conv2 = nn.Conv2d(16, 128, 5)
        self.fc1 = nn.Linear(128 * 5 * 5, 64)
        self.fc2 = nn.Linear(64, 10)

    def forward(self, x):
        x = F.max_pool2d(torch.tanh(self.conv1(x)), 2)
        x = F.max_pool2d(torch.tanh(self.conv2(x)), 2)
        x = x.view(-1, 128 * 5 * 5)
        x = torch.tanh(self.fc1(x))
        return self.fc2(x)
"""


def convnet(
    conv1: str = "nn.Conv2d(3, 16, 5)",
    conv2: str = "nn.Conv2d(16, 128, 5)",
    pool: str = "nn.MaxPool2d(2, 2)",
    act: str = "torch.tanh",
    flat: int = 3200,
    fc1_bias: str = "",
) -> str:
    """The handout's ConvNet with one ``self.pool`` module, each layer replaceable: a mistake is one
    argument (the diagnosis tests' ConvNet bugs)."""
    return f"""
class ConvNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = {conv1}
        self.pool = {pool}
        self.conv2 = {conv2}
        self.fc1 = nn.Linear({flat}, 64{fc1_bias})
        self.fc2 = nn.Linear(64, 10{fc1_bias})

    def forward(self, x):
        x = self.pool({act}(self.conv1(x)))
        x = self.pool({act}(self.conv2(x)))
        x = x.view(x.size(0), -1)
        x = {act}(self.fc1(x))
        return self.fc2(x)
"""


def gradient(
    dYo: str = "-Y * sigm(-Y * Yo)",
    bi: str = "dYo * Wo * (Z > 0)",
    wi: str = "np.outer(X, grad_s_bi)",
    wo: str = "dYo * H",
) -> str:
    """gradient_nn in its shortest correct form, each backward step replaceable: a mistake is one
    argument (the diagnosis tests' bugs and the corpus's ``BUG_WI_TRANSPOSED``)."""
    return f"""
def gradient_nn(X, Y, Wi, bi, Wo, bo):
    Z = np.dot(X, Wi) + bi
    H = np.maximum(0, Z)
    Yo = np.dot(H, Wo) + bo
    dYo = {dYo}
    grad_s_bi = {bi}
    grad_s_Wi = {wi}
    return grad_s_Wi, grad_s_bi, {wo}, dYo
"""


#: gradient_nn written out one gradient per line: the corpus's seeded gradient bugs change one
#: line of it.
_GRAD_SPELLED_OUT = """
def gradient_nn(X, Y, Wi, bi, Wo, bo):
    Z = np.dot(X, Wi) + bi
    H = np.maximum(0, Z)
    Yo = np.dot(H, Wo) + bo
    dYo = -Y * sigm(-Y * Yo)
    grad_s_bo = dYo
    grad_s_Wo = dYo * H
    grad_s_bi = dYo * Wo * (Z > 0)
    grad_s_Wi = np.outer(X, grad_s_bi)
    return grad_s_Wi, grad_s_bi, grad_s_Wo, grad_s_bo
"""
#: The same with the arrays' own ``.dot``.
_GRAD_METHOD_DOT = _GRAD_SPELLED_OUT.replace("np.dot(X, Wi)", "X.dot(Wi)").replace("np.dot(H, Wo)", "H.dot(Wo)")


# ================================================================ correct: gradient_nn

GRAD_LOOPS = """
def gradient_nn(X, Y, Wi, bi, Wo, bo):
    d, h = Wi.shape
    # forward pass
    Z = np.zeros(h)
    for j in range(h):
        Z[j] = bi[j]
        for k in range(d):
            Z[j] += X[k] * Wi[k, j]
    H = np.zeros(h)
    for j in range(h):
        H[j] = max(Z[j], 0)
    Yo = bo
    for j in range(h):
        Yo = Yo + H[j] * Wo[j]
    # backward pass
    dYo = -Y * sigm(-Y * Yo)
    grad_s_bo = dYo
    grad_s_Wo = np.zeros(h)
    grad_s_bi = np.zeros(h)
    grad_s_Wi = np.zeros((d, h))
    for j in range(h):
        grad_s_Wo[j] = dYo * H[j]
        if Z[j] > 0:
            grad_s_bi[j] = dYo * Wo[j]
        for k in range(d):
            grad_s_Wi[k, j] = X[k] * grad_s_bi[j]
    return grad_s_Wi, grad_s_bi, grad_s_Wo, grad_s_bo
"""

GRAD_OUTER = _GRAD_METHOD_DOT.replace("sigm(-Y * Yo)", "np.exp(-Y * Yo) / (1 + np.exp(-Y * Yo))")  # exp written out

GRAD_EINSUM = """
def gradient_nn(X, Y, Wi, bi, Wo, bo):
    Z = np.einsum('i,ij->j', X, Wi) + bi
    H = np.where(Z > 0, Z, 0.)
    Yo = np.einsum('j,j->', H, Wo) + bo
    delta = np.asarray(-Y * sigm(-Y * Yo)).item()
    grad_s_Wo = delta * H
    grad_s_bi = delta * np.einsum('j,j->j', Wo, np.heaviside(Z, 0))
    grad_s_Wi = np.einsum('i,j->ij', X, grad_s_bi)
    return grad_s_Wi, grad_s_bi, grad_s_Wo, delta
"""

GRAD_LIST = """
def gradient_nn(X, Y, Wi, bi, Wo, bo):
    Z = X @ Wi + bi
    H = np.maximum(Z, 0)
    Yo = H @ Wo + bo
    g = -Y * sigm(-Y * Yo)
    grad_s_bi = g * Wo * (Z > 0)
    return [X[:, None] * grad_s_bi[None, :], grad_s_bi, g * H, g]
"""

GRAD_BO_FLOAT = """
def gradient_nn(X, Y, Wi, bi, Wo, bo):
    Z = np.dot(X, Wi) + bi
    H = np.maximum(0, Z)
    Yo = float(np.dot(H, Wo) + bo)
    dYo = -Y / (1 + np.exp(Y * Yo))
    grad_s_bo = float(dYo)
    grad_s_Wo = dYo * H
    grad_s_bi = dYo * Wo * (Z > 0).astype(float)
    grad_s_Wi = np.outer(X, grad_s_bi)
    return grad_s_Wi, grad_s_bi, grad_s_Wo, grad_s_bo
"""

GRAD_BO_ARRAY = _GRAD_SPELLED_OUT.replace("grad_s_bo = dYo", "grad_s_bo = np.array([dYo]).reshape(1)")

# "sigm(Yo) - target" with target = (Y + 1) / 2: the cross-entropy form, equal to -Y sigma(-Y Yo)
GRAD_CROSS_ENTROPY = """
def gradient_nn(X, Y, Wi, bi, Wo, bo):
    Z = np.dot(X, Wi) + bi
    H = np.maximum(0, Z)
    Yo = np.dot(H, Wo) + bo
    target = (Y + 1) / 2          # label in {0, 1}
    dYo = sigm(Yo) - target
    return np.outer(X, dYo * Wo * (Z > 0)), dYo * Wo * (Z > 0), dYo * H, dYo
"""

GRAD_STABLE_SIGMOID = """
def stable_sigmoid(x):
    # no overflow for large |x|
    return np.where(x >= 0, 1 / (1 + np.exp(-np.abs(x))), np.exp(-np.abs(x)) / (1 + np.exp(-np.abs(x))))

""" + _GRAD_SPELLED_OUT.replace("sigm(-Y * Yo)", "stable_sigmoid(-Y * Yo)")

# helper in its own cell, before the gradient cell
RELU_GRAD_HELPER = """
def relu(z):
    return np.maximum(z, 0)


def relu_grad(z):
    return (z > 0).astype(float)
"""

GRAD_USES_HELPER = """
def gradient_nn(X, Y, Wi, bi, Wo, bo):
    Z = np.dot(X, Wi) + bi
    H = relu(Z)
    Yo = np.dot(H, Wo) + bo
    dYo = -Y * sigm(-Y * Yo)
    grad_s_bi = dYo * Wo * relu_grad(Z)
    return np.outer(X, grad_s_bi), grad_s_bi, dYo * H, dYo
"""

# a first attempt left in the notebook above the final one (last definition wins)
GRAD_EARLY_WRONG = """
def gradient_nn(X, Y, Wi, bi, Wo, bo):
    # first try -- TODO fix the signs
    Z = np.dot(X, Wi) + bi
    H = np.maximum(0, Z)
    Yo = np.dot(H, Wo) + bo
    dYo = Y * sigm(Y * Yo)
    return np.outer(X, dYo * Wo), dYo * Wo, dYo * H, dYo
"""

# ================================================================ correct: numerical gradient

NUMERICAL_EPS_1E4 = """
def gradient_nn_numerical(X, Y, Wi, bi, Wo, bo):
    eps = 1e-4
    def loss(Wi, bi, Wo, bo):
        return nnet_forward_logloss(X, Y, Wi, bi, Wo, bo)[2]
    grad_s_Wi_numerical = np.zeros(Wi.shape)
    for i in range(Wi.shape[0]):
        for j in range(Wi.shape[1]):
            W_plus = Wi.copy(); W_plus[i, j] += eps
            W_minus = Wi.copy(); W_minus[i, j] -= eps
            grad_s_Wi_numerical[i, j] = np.sum(loss(W_plus, bi, Wo, bo) - loss(W_minus, bi, Wo, bo)) / (2 * eps)
    grad_s_bi_numerical = np.zeros(bi.shape)
    for i in range(len(bi)):
        b_plus = bi.copy(); b_plus[i] += eps
        b_minus = bi.copy(); b_minus[i] -= eps
        grad_s_bi_numerical[i] = np.sum(loss(Wi, b_plus, Wo, bo) - loss(Wi, b_minus, Wo, bo)) / (2 * eps)
    grad_s_Wo_numerical = np.zeros(Wo.shape)
    for i in range(len(Wo)):
        w_plus = Wo.copy(); w_plus[i] += eps
        w_minus = Wo.copy(); w_minus[i] -= eps
        grad_s_Wo_numerical[i] = np.sum(loss(Wi, bi, w_plus, bo) - loss(Wi, bi, w_minus, bo)) / (2 * eps)
    grad_s_bo_numerical = (loss(Wi, bi, Wo, bo + eps) - loss(Wi, bi, Wo, bo - eps)) / (2 * eps)
    return grad_s_Wi_numerical, grad_s_bi_numerical, grad_s_Wo_numerical, grad_s_bo_numerical
"""

NUMERICAL_EPS_1E5_GENERIC = '''
def gradient_nn_numerical(X, Y, Wi, bi, Wo, bo):
    """Central differences on every entry of every parameter, one generic loop."""
    eps = 1e-5
    params = [np.array(Wi, dtype=float), np.array(bi, dtype=float),
              np.array(Wo, dtype=float), np.array(bo, dtype=float)]
    grads = []
    for p in params:
        g = np.zeros_like(p)
        for idx in np.ndindex(*p.shape):
            old = p[idx]
            p[idx] = old + eps
            plus = np.sum(nnet_forward_logloss(X, Y, *params)[2])
            p[idx] = old - eps
            minus = np.sum(nnet_forward_logloss(X, Y, *params)[2])
            p[idx] = old
            g[idx] = (plus - minus) / (2 * eps)
        grads.append(g)
    return tuple(grads)
'''

# ================================================================ correct: ConvNet

CONVNET_SEQUENTIAL = """
class ConvNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(3, 16, 5), nn.Tanh(), nn.MaxPool2d(2),
            nn.Conv2d(16, 128, 5), nn.Tanh(), nn.MaxPool2d(2),
        )
        self.classifier = nn.Sequential(
            nn.Flatten(),
            nn.Linear(128 * 5 * 5, 64), nn.Tanh(),
            nn.Linear(64, 10),
        )

    def forward(self, x):
        return self.classifier(self.features(x))
"""

CONVNET_POOL_FIRST_VIEW = """
class ConvNet(nn.Module):
    def __init__(self):
        super(ConvNet, self).__init__()
        self.conv1 = nn.Conv2d(in_channels=3, out_channels=16, kernel_size=5)
        self.conv2 = nn.Conv2d(in_channels=16, out_channels=128, kernel_size=5)
        self.fc1 = nn.Linear(3200, 64)
        self.fc2 = nn.Linear(64, 10)

    def forward(self, x):
        x = torch.tanh(F.max_pool2d(self.conv1(x), 2))   # pooling first, then tanh
        x = torch.tanh(F.max_pool2d(self.conv2(x), 2))
        x = x.view(x.size(0), -1)
        x = torch.tanh(self.fc1(x))
        x = self.fc2(x)
        return x
"""

CONVNET_MODULES_FLATTEN = """
class ConvNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(3, 16, kernel_size=(5, 5))
        self.pool = nn.MaxPool2d(kernel_size=2, stride=2)
        self.conv2 = nn.Conv2d(16, 128, kernel_size=(5, 5))
        self.fc1 = nn.Linear(128 * 5 * 5, 64)
        self.fc2 = nn.Linear(64, 10)
        self.act = nn.Tanh()

    def forward(self, x):
        x = self.pool(self.act(self.conv1(x)))
        x = self.pool(self.act(self.conv2(x)))
        x = torch.flatten(x, 1)
        x = self.act(self.fc1(x))
        return self.fc2(x)
"""

CONVNET_FC_FIRST_NAMES = """
class ConvNet(nn.Module):
    def __init__(self):
        super().__init__()
        # classifier layers declared first, then the feature extractor
        self.dense_hidden = nn.Linear(128 * 5 * 5, 64)
        self.dense_out = nn.Linear(64, 10)
        self.first_conv = nn.Conv2d(3, 16, 5)
        self.second_conv = nn.Conv2d(16, 128, 5)

    def forward(self, img):
        out = F.max_pool2d(torch.tanh(self.first_conv(img)), kernel_size=2)
        out = F.max_pool2d(torch.tanh(self.second_conv(out)), kernel_size=2)
        out = out.reshape(-1, 128 * 5 * 5)
        out = torch.tanh(self.dense_hidden(out))
        return self.dense_out(out)
"""

# ================================================================ correct: train_loop as handed out

# the handed-out train_loop (it updates with the notebook global `lrate`, not its `lr`)
TRAIN_LOOP_GLOBAL_LRATE = """
def train_loop(Xtr, Ytr, Xval, Yval, h, lr, vis='all', nEpochs=100):
    # Random initialization of the parameters
    Wi = np.random.randn(2, h)
    bi = np.zeros(h)
    Wo = np.zeros(h)
    bo = 0.

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
        Wi = Wi - lrate * grad_s_Wi
        bi = bi - lrate * grad_s_bi
        Wo = Wo - lrate * grad_s_Wo
        bo = bo - lrate * grad_s_bo

        # Compute the training and validation errors
        _, Yo, _ = nnet_forward_logloss(Xtr, Ytr, Wi, bi, Wo, bo)
        tr_error[i] = 100 * np.mean(np.sign(Yo) != Ytr)
        _, Yo, _ = nnet_forward_logloss(Xval, Yval, Wi, bi, Wo, bo)
        val_error[i] = 100 * np.mean(np.sign(Yo) != Yval)

        if vis == 'all' and i % (10 * nSamples) == 0:
            decision_boundary_nnet(Xtr, Ytr, Wi, bi, Wo, bo)
    if vis in ('all', 'last'):
        decision_boundary_nnet(Xtr, Ytr, Wi, bi, Wo, bo)
        plt.figure()
        plt.plot(tr_error, label='training error')
        plt.plot(val_error, label='validation error')
        plt.legend()
        plt.show()
    return tr_error, val_error
"""

# ================================================================ seeded bugs: gradient_nn

BUG_BO_SIGN = _GRAD_SPELLED_OUT.replace("grad_s_bo = dYo", "grad_s_bo = Y * sigm(-Y * Yo)")

BUG_NO_RELU_MASK = _GRAD_SPELLED_OUT.replace("grad_s_bi = dYo * Wo * (Z > 0)", "grad_s_bi = dYo * Wo")

BUG_WI_TRANSPOSED = gradient(wi="np.outer(grad_s_bi, X)     # h x d")

BUG_WO_USES_Z = _GRAD_SPELLED_OUT.replace("grad_s_Wo = dYo * H", "grad_s_Wo = dYo * Z")

# sigma of the wrong argument: right for Y = +1, wrong for Y = -1
BUG_SIGMOID_ARGUMENT = _GRAD_SPELLED_OUT.replace("dYo = -Y * sigm(-Y * Yo)", "dYo = -Y * sigm(-Yo)")

# every gradient has the wrong sign: SGD climbs the loss
BUG_ASCENT = """
def gradient_nn(X, Y, Wi, bi, Wo, bo):
    Z = np.dot(X, Wi) + bi
    H = np.maximum(0, Z)
    Yo = np.dot(H, Wo) + bo
    dYo = Y * sigm(-Y * Yo)
    grad_s_bi = dYo * Wo * (Z > 0)
    return np.outer(X, grad_s_bi), grad_s_bi, dYo * H, dYo
"""

# (1, h) instead of the handout's (h,) for grad_s_bi: values right, shape not as asked
GRAD_BI_ROW = """
def gradient_nn(X, Y, Wi, bi, Wo, bo):
    X = X.reshape(1, -1)                  # 1 x d
    Z = X @ Wi + bi                        # 1 x h
    H = np.maximum(0, Z)
    Yo = H @ Wo + bo
    dYo = -Y * sigm(-Y * Yo)
    grad_s_bi = dYo * Wo * (Z > 0)         # 1 x h
    grad_s_Wi = X.T @ grad_s_bi            # d x h
    grad_s_Wo = (dYo * H).ravel()
    return grad_s_Wi, grad_s_bi, grad_s_Wo, dYo
"""

# the handout's stub, as handed out: the task not done
GRAD_STUB = """
def gradient_nn(X, Y, Wi, bi, Wo, bo):
    # TODO
    raise NotImplementedError
"""

# ================================================================ seeded bugs: numerical gradient, gradcheck

NUMERICAL_FORWARD_COARSE = """
def gradient_nn_numerical(X, Y, Wi, bi, Wo, bo):
    eps = 1e-2
    _, _, s0 = nnet_forward_logloss(X, Y, Wi, bi, Wo, bo)
    grad_s_Wi_numerical = np.zeros(Wi.shape)
    grad_s_bi_numerical = np.zeros(bi.shape)
    grad_s_Wo_numerical = np.zeros(Wo.shape)
    for i in range(Wi.shape[0]):
        for j in range(Wi.shape[1]):
            _, _, s1 = nnet_forward_logloss(X, Y, sumelement_matrix(Wi, i, j, eps), bi, Wo, bo)
            grad_s_Wi_numerical[i, j] = np.sum(s1 - s0) / eps
    for i in range(bi.shape[0]):
        _, _, s1 = nnet_forward_logloss(X, Y, Wi, sumelement_vector(bi, i, eps), Wo, bo)
        grad_s_bi_numerical[i] = np.sum(s1 - s0) / eps
    for i in range(Wo.shape[0]):
        _, _, s1 = nnet_forward_logloss(X, Y, Wi, bi, sumelement_vector(Wo, i, eps), bo)
        grad_s_Wo_numerical[i] = np.sum(s1 - s0) / eps
    _, _, s1 = nnet_forward_logloss(X, Y, Wi, bi, Wo, bo + eps)
    grad_s_bo_numerical = (s1 - s0) / eps
    return grad_s_Wi_numerical, grad_s_bi_numerical, grad_s_Wo_numerical, grad_s_bo_numerical
"""

NUMERICAL_WRONG_DENOMINATOR = """
def gradient_nn_numerical(X, Y, Wi, bi, Wo, bo):
    eps = 1e-6
    grad_s_Wi_numerical = np.zeros(Wi.shape)
    grad_s_bi_numerical = np.zeros(bi.shape)
    grad_s_Wo_numerical = np.zeros(Wo.shape)
    for i in range(Wi.shape[0]):
        for j in range(Wi.shape[1]):
            _, _, loss_plus = nnet_forward_logloss(X, Y, sumelement_matrix(Wi, i, j, eps), bi, Wo, bo)
            _, _, loss_minus = nnet_forward_logloss(X, Y, sumelement_matrix(Wi, i, j, -eps), bi, Wo, bo)
            grad_s_Wi_numerical[i, j] = np.sum(loss_plus - loss_minus) / eps
    for i in range(bi.shape[0]):
        _, _, loss_plus = nnet_forward_logloss(X, Y, Wi, sumelement_vector(bi, i, eps), Wo, bo)
        _, _, loss_minus = nnet_forward_logloss(X, Y, Wi, sumelement_vector(bi, i, -eps), Wo, bo)
        grad_s_bi_numerical[i] = np.sum(loss_plus - loss_minus) / eps
    for i in range(Wo.shape[0]):
        _, _, loss_plus = nnet_forward_logloss(X, Y, Wi, bi, sumelement_vector(Wo, i, eps), bo)
        _, _, loss_minus = nnet_forward_logloss(X, Y, Wi, bi, sumelement_vector(Wo, i, -eps), bo)
        grad_s_Wo_numerical[i] = np.sum(loss_plus - loss_minus) / eps
    _, _, loss_plus = nnet_forward_logloss(X, Y, Wi, bi, Wo, bo + eps)
    _, _, loss_minus = nnet_forward_logloss(X, Y, Wi, bi, Wo, bo - eps)
    grad_s_bo_numerical = (loss_plus - loss_minus) / eps
    return grad_s_Wi_numerical, grad_s_bi_numerical, grad_s_Wo_numerical, grad_s_bo_numerical
"""

GRADCHECK_ALWAYS_TRUE = """
def gradcheck(seed=None):
    rng = np.random.default_rng(seed)
    for n in range(1000):
        X = rng.standard_normal(2)
        Y = rng.choice([-1, 1])
        Wi = rng.standard_normal((2, 3))
        bi = rng.standard_normal(3)
        Wo = rng.standard_normal(3)
        bo = rng.standard_normal(1)
        analytical = gradient_nn(X, Y, Wi, bi, Wo, bo)
        numerical = gradient_nn_numerical(X, Y, Wi, bi, Wo, bo)
        for a, b in zip(analytical, numerical):
            diff = np.mean(np.abs(a - b))
    return True
"""

GRADCHECK_ONLY_WI = """
def gradcheck(seed=None):
    d = 2
    h = 3
    for n in range(1000):
        X = np.random.randn(d)
        Y = np.random.choice([-1, 1])
        Wi = np.random.randn(d, h)
        bi = np.random.randn(h)
        Wo = np.random.randn(h)
        bo = np.random.randn(1)
        grad_s_Wi, grad_s_bi, grad_s_Wo, grad_s_bo = gradient_nn(X, Y, Wi, bi, Wo, bo)
        grad_s_Wi_num, grad_s_bi_num, grad_s_Wo_num, grad_s_bo_num = gradient_nn_numerical(X, Y, Wi, bi, Wo, bo)
        if np.mean(np.abs(grad_s_Wi - grad_s_Wi_num)) > 1e-6:
            return False
    return True
"""

# ================================================================ seeded bugs: provided helper

# the provided forward pass with the loss's sign slipped: a broken helper, not a broken 1.4
FORWARD_WRONG_LOSS = """
def nnet_forward_logloss(X, Y, Wi, bi, Wo, bo):
    H = np.maximum(np.dot(X, Wi) + bi, 0.0)
    Yo = np.dot(H, Wo) + bo
    Po = sigm(Yo)
    loss = np.log(1 + np.exp(Y * Yo))
    return Po, Yo, loss
"""

# ================================================================ seeded bugs: ConvNet

CONVNET_RELU = CONVNET.replace("torch.tanh", "F.relu")

CONVNET_AVGPOOL = """
class ConvNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(3, 16, 5)
        self.conv2 = nn.Conv2d(16, 128, 5)
        self.pool = nn.AvgPool2d(2, 2)
        self.fc1 = nn.Linear(128 * 5 * 5, 64)
        self.fc2 = nn.Linear(64, 10)

    def forward(self, x):
        x = self.pool(torch.tanh(self.conv1(x)))
        x = self.pool(torch.tanh(self.conv2(x)))
        x = x.view(-1, 128 * 5 * 5)
        x = torch.tanh(self.fc1(x))
        return self.fc2(x)
"""

CONVNET_NO_FC1_TANH = CONVNET.replace("torch.tanh(self.fc1(x))", "self.fc1(x)")

CONVNET_64_MAPS = CONVNET.replace("128", "64")

# ================================================================ seeded bugs: train / test

TRAIN_NO_ZERO_GRAD = """
def train(epoch, network):
    network.train()
    for batch_idx, (data, target) in enumerate(train_loader):
        data, target = data.to(device), target.to(device)
        output = network(data)
        loss = F.cross_entropy(output, target)
        loss.backward()
        optimizer.step()
        if batch_idx % log_interval == 0:
            print('Train Epoch: {} [{}/{} ({:.0f}%)]\\tLoss: {:.6f}'.format(
                epoch, batch_idx * len(data), len(train_loader.dataset),
                100. * batch_idx / len(train_loader), loss.item()))
"""

# pred is N x 1 and target N: eq broadcasts to N x N and counts far too many "correct"
TEST_BROADCAST_ACCURACY = """
def test(network):
    network.eval()
    test_loss = 0
    correct = 0
    with torch.no_grad():
        for data, target in test_loader:
            data, target = data.to(device), target.to(device)
            output = network(data)
            test_loss += F.cross_entropy(output, target, reduction='sum').item()
            pred = output.max(1, keepdim=True)[1]
            correct += pred.eq(target).sum().item()
    test_loss /= len(test_loader.dataset)
    print('\\nTest set: Average loss: {:.4f}, Accuracy: {}/{} ({:.0f}%)\\n'.format(
        test_loss, correct, len(test_loader.dataset),
        100. * correct / len(test_loader.dataset)))
"""

# ================================================================ hostile

GRAD_SYNTAX_ERROR = """
def gradient_nn(X, Y, Wi, bi, Wo, bo):
    Z = np.dot(X, Wi) + bi
    H = np.maximum(0, Z)
    Yo = np.dot(H, Wo) + bo
    dYo = -Y * sigm(-Y * Yo)
    grad_s_bi = dYo * Wo * (Z > 0
    return np.outer(X, grad_s_bi), grad_s_bi, dYo * H, dYo
"""

GRAD_SYS_EXIT = """
def gradient_nn(X, Y, Wi, bi, Wo, bo):
    import sys
    sys.exit("giving up")
"""

GRAD_OS_EXIT = """
def gradient_nn(X, Y, Wi, bi, Wo, bo):
    import os
    os._exit(0)
"""

GRAD_INFINITE_LOOP = """
def gradient_nn(X, Y, Wi, bi, Wo, bo):
    Z = np.dot(X, Wi) + bi
    k = 0
    while k < len(Z):          # forgot k += 1
        Z[k] = max(Z[k], 0)
    return np.outer(X, Z), Z, Z, 0.0
"""

MODULE_HUGE_ALLOCATION = """
big_buffer = np.ones((50 * 1024**3) // 8)   # 50 GB
"""

GRAD_HUGE_ALLOCATION = """
def gradient_nn(X, Y, Wi, bi, Wo, bo):
    cache = np.ones((50 * 1024**3) // 8)    # 50 GB
    return cache[:2 * len(bi)].reshape(2, -1), cache[:len(bi)], cache[:len(bi)], cache[0]
"""

GRAD_FORK_BOMB = """
def gradient_nn(X, Y, Wi, bi, Wo, bo):
    import os
    while True:
        os.fork()
"""

# deletes what it can reach: home, the working folder, the grader's checkout
GRAD_RMTREE = _aimed("""
def gradient_nn(X, Y, Wi, bi, Wo, bo):
    import os, shutil
    for target in (os.path.expanduser('~'), os.getcwd(), CHECKOUT, os.path.join(CHECKOUT, 'grader'), '/tmp'):
        shutil.rmtree(target, ignore_errors=True)
    for name in ('/tmp/pwned_by_student', os.path.join(CHECKOUT, 'pwned_by_student'), os.path.expanduser('~/pwned')):
        try:
            with open(name, 'w') as f:
                f.write('x')
        except OSError:
            pass
    Z = np.dot(X, Wi) + bi
    H = np.maximum(0, Z)
    Yo = np.dot(H, Wo) + bo
    dYo = -Y * sigm(-Y * Yo)
    grad_s_bi = dYo * Wo * (Z > 0)
    return np.outer(X, grad_s_bi), grad_s_bi, dYo * H, dYo
""")

MODULE_RMTREE = _aimed("""
import shutil, os
shutil.rmtree(CHECKOUT, ignore_errors=True)
os.remove(os.path.join(CHECKOUT, 'pyproject.toml'))
""")

MODULE_PATCH_ALLCLOSE = """
np.allclose = lambda *args, **kwargs: True
np.testing.assert_allclose = lambda *args, **kwargs: None
"""

MODULE_PATCH_MEAN = """
np.mean = lambda *args, **kwargs: 0.0
"""


# returns ndarray subclasses that claim to equal anything
GRAD_EQ_SUBCLASS = """
class Agreeable(np.ndarray):
    def __eq__(self, other):
        return True

    def __ne__(self, other):
        return False


def gradient_nn(X, Y, Wi, bi, Wo, bo):
    zeros = [np.zeros_like(np.asarray(p, dtype=float)) for p in (Wi, bi, Wo, bo)]
    return tuple(z.view(Agreeable) for z in zeros)
"""

# the honest version of the one above: the same (wrong) zeros, plain arrays
GRAD_ZEROS = """
def gradient_nn(X, Y, Wi, bi, Wo, bo):
    zeros = [np.zeros_like(np.asarray(p, dtype=float)) for p in (Wi, bi, Wo, bo)]
    return tuple(zeros)
"""

GRAD_EQ_OBJECT = """
class Anything:
    def __eq__(self, other):
        return True

    def __float__(self):
        return 0.0

    def __array__(self, dtype=None, copy=None):
        return np.zeros(3)


def gradient_nn(X, Y, Wi, bi, Wo, bo):
    return Anything(), Anything(), Anything(), Anything()
"""

GRAD_PRINTS_100MB = """
def gradient_nn(X, Y, Wi, bi, Wo, bo):
    print('debug ' * (100 * 1024**2 // 6))
    Z = np.dot(X, Wi) + bi
    H = np.maximum(0, Z)
    Yo = np.dot(H, Wo) + bo
    dYo = -Y * sigm(-Y * Yo)
    grad_s_bi = dYo * Wo * (Z > 0)
    return np.outer(X, grad_s_bi), grad_s_bi, dYo * H, dYo
"""

# tries to copy the solution from the grader's checkout, falls back to the stub
GRAD_READS_REFERENCE = _aimed("""
def gradient_nn(X, Y, Wi, bi, Wo, bo):
    namespace = {'np': np}
    for path in (CHECKOUT + '/reference/part1.py', '../reference/part1.py', 'reference/part1.py'):
        try:
            with open(path) as f:
                exec(f.read(), namespace)
            return namespace['gradient_nn'](X, Y, Wi, bi, Wo, bo)
        except Exception:
            pass
    raise NotImplementedError
""")

GRAD_IMPORTS_REFERENCE = _aimed("""
def gradient_nn(X, Y, Wi, bi, Wo, bo):
    import sys
    sys.path.insert(0, CHECKOUT)
    try:
        from reference.part1 import gradient_nn as solution
    except ImportError:
        import importlib
        solution = importlib.import_module('reference').part1.gradient_nn
    return solution(X, Y, Wi, bi, Wo, bo)
""")


# -- real submissions' forms (HANDOUT.md, "How real submissions look") ----------------------

CONVNET_CTOR_ARG = """
class ConvNet(nn.Module):
    def __init__(self, num_outputs):
        super(ConvNet, self).__init__()
        self.conv1 = nn.Conv2d(3, 16, 5)
        self.conv2 = nn.Conv2d(16, 128, 5)
        self.fc1 = nn.Linear(128 * 5 * 5, 64)
        self.fc2 = nn.Linear(64, num_outputs)

    def forward(self, x):
        x = F.max_pool2d(torch.tanh(self.conv1(x)), 2)
        x = F.max_pool2d(torch.tanh(self.conv2(x)), 2)
        x = x.view(-1, 128 * 5 * 5)
        return self.fc2(torch.tanh(self.fc1(x)))
"""

CONVNET_CUDA = """
class ConvNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(3, 16, 5)
        self.conv2 = nn.Conv2d(16, 128, 5)
        self.fc1 = nn.Linear(3200, 64)
        self.fc2 = nn.Linear(64, 10)
        self.cuda()

    def forward(self, x):
        x = x.cuda()
        x = F.max_pool2d(torch.tanh(self.conv1(x)), 2)
        x = F.max_pool2d(torch.tanh(self.conv2(x)), 2)
        return self.fc2(torch.tanh(self.fc1(torch.flatten(x, 1))))
"""

TRAIN_EXTRA_PARAM = """
def train(epoch, network, device='cpu'):
    network.train()
    for batch_idx, (data, target) in enumerate(train_loader):
        data, target = data.to(device), target.to(device)
        optimizer.zero_grad()
        output = network(data)
        loss = F.cross_entropy(output, target)
        loss.backward()
        optimizer.step()
        if batch_idx % log_interval == 0:
            print('Train Epoch: {} [{}/{}]\\tLoss: {:.6f}'.format(
                epoch, batch_idx * len(data), len(train_loader.dataset), loss.item()))
"""

# train and test with parameters of the student's own, passed by the notebook's calls: the
# optimizer, the loader (PyTorch's examples pass both; the reference's part3 does too)
TRAIN_OPTIMIZER_PARAM = """
def train(epoch, network, optimizer):
    network.train()
    for batch_idx, (data, target) in enumerate(train_loader):
        data, target = data.to(device), target.to(device)
        optimizer.zero_grad()
        output = network(data)
        loss = F.cross_entropy(output, target)
        loss.backward()
        optimizer.step()
        if batch_idx % log_interval == 0:
            print('Train Epoch: {} [{}/{}]\\tLoss: {:.6f}'.format(
                epoch, batch_idx * len(data), len(train_loader.dataset), loss.item()))
"""

TEST_LOADER_PARAM = """
def test(network, loader):
    network.eval()
    test_loss, correct = 0, 0
    with torch.no_grad():
        for data, target in loader:
            data, target = data.to(device), target.to(device)
            output = network(data)
            test_loss += F.cross_entropy(output, target, reduction="sum").item()
            pred = output.max(1, keepdim=True)[1]
            correct += pred.eq(target.view_as(pred)).sum().item()
    test_loss /= len(loader.dataset)
    print("\\nTest set: Average loss: {:.4f}, Accuracy: {}/{} ({:.0f}%)\\n".format(
        test_loss, correct, len(loader.dataset), 100.0 * correct / len(loader.dataset)))
"""

GRAD_SQUEEZED = """
def gradient_nn(X, Y, Wi, bi, Wo, bo):
    Z = np.dot(X, Wi) + bi
    H = np.maximum(Z, 0)
    Yo = np.dot(H, Wo) + bo
    d = -Y * sigm(-Y * Yo)
    grad_s_bo = np.squeeze(d)
    grad_s_Wo = np.squeeze(d * H)
    grad_s_bi = np.squeeze(d * Wo * (Z > 0))
    grad_s_Wi = np.squeeze(np.outer(X, d * Wo * (Z > 0)))
    return grad_s_Wi, grad_s_bi, grad_s_Wo, grad_s_bo
"""

COLAB_IMPORTS = """
import pandas as pd
from tqdm.notebook import tqdm
from torchsummary import summary
import wandb_is_not_installed_here as wandb
from google.colab import drive
"""

ANSWER_3_6_DIMENSIONS = r"""
Dimensions des poids de chaque couche :

- conv1 : 16x3x5x5 (+ 16 biais)
- conv2 : $128 \times 16 \times 5 \times 5$ (+ 128 biais)
- fc1 : `torch.Size([64, 3200])`
- fc2 : (10, 64)

Nombre total de paramètres : **258 058**.
"""

#: 3.6 as real answers write it: tuples whose members are products, a boxed total spaced with \,
ANSWER_3_6_TUPLE_PRODUCTS = r"""
Dimensionality of the weights at each layer (plus one bias per output):

- conv1: $(16,3,5,5)$
- conv2: $[128, 16, 5, 5]$
- fc1: Dimensionality: $(64,128\cdot 5\cdot 5)$
- fc2: $(10, 64)$

Total number of parameters: $\boxed{258\,058}$
"""

TORCHSUMMARY_3_6 = """\
----------------------------------------------------------------
        Layer (type)               Output Shape         Param #
================================================================
            Conv2d-1           [-1, 16, 28, 28]           1,216
            Conv2d-2          [-1, 128, 10, 10]          51,328
            Linear-3                   [-1, 64]         204,864
            Linear-4                   [-1, 10]             650
================================================================
Total params: 258,058
Trainable params: 258,058
Non-trainable params: 0
----------------------------------------------------------------
"""

HANDOUT_SIGM = """
def sigm(x):
    # Returns the sigmoid of x
    # Small trick to avoid overflow warnings: values below -20 are set to 0
    return np.where(x > -20, 1.0 / (1.0 + np.exp(-x)), 0.0)
"""

CONVNET_LAZY = """
class ConvNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(3, 16, 5)
        self.conv2 = nn.Conv2d(16, 128, 5)
        self.fc1 = nn.LazyLinear(64)  # no need to work out 128 * 5 * 5
        self.fc2 = nn.Linear(64, 10)

    def forward(self, x):
        x = F.max_pool2d(torch.tanh(self.conv1(x)), 2)
        x = F.max_pool2d(torch.tanh(self.conv2(x)), 2)
        x = torch.tanh(self.fc1(torch.flatten(x, 1)))
        return self.fc2(x)
"""

CONVNET_PRINTS = CONVNET.replace(
    "        x = x.view(-1, 128 * 5 * 5)\n",
    "        print('before flatten', x.shape)\n        x = x.view(-1, 128 * 5 * 5)\n",
)

#: ``ConvNet(n_channels)``: the notebook sets ``n_channels = 3`` and calls it with the name.
CONVNET_N_CHANNELS = """
class ConvNet(nn.Module):
    def __init__(self, n_channels):
        super(ConvNet, self).__init__()
        self.conv1 = nn.Conv2d(n_channels, 16, 5)
        self.conv2 = nn.Conv2d(16, 128, 5)
        self.fc1 = nn.Linear(128 * 5 * 5, 64)
        self.fc2 = nn.Linear(64, 10)

    def forward(self, x):
        x = F.max_pool2d(torch.tanh(self.conv1(x)), 2)
        x = F.max_pool2d(torch.tanh(self.conv2(x)), 2)
        return self.fc2(torch.tanh(self.fc1(x.view(x.size(0), -1))))
"""

#: ``ConvNet(num_inputs, num_outputs)`` as the handout's ``Net`` is called, with module-level sizes.
CONVNET_INPUTS_OUTPUTS = """
num_inputs = 3 * 32 * 32
num_outputs = 10


class ConvNet(nn.Module):
    def __init__(self, num_inputs, num_outputs):
        super().__init__()
        self.num_inputs = num_inputs
        self.conv1 = nn.Conv2d(3, 16, 5)
        self.conv2 = nn.Conv2d(16, 128, 5)
        self.fc1 = nn.Linear(128 * 5 * 5, 64)
        self.fc2 = nn.Linear(64, num_outputs)

    def forward(self, x):
        x = F.max_pool2d(torch.tanh(self.conv1(x)), 2)
        x = F.max_pool2d(torch.tanh(self.conv2(x)), 2)
        return self.fc2(torch.tanh(self.fc1(torch.flatten(x, 1))))


convnet = ConvNet(num_inputs, num_outputs)
"""

#: One activation dropped from ``forward``: the parameters are the handout's, the function is not.
CONVNET_NO_CONV2_TANH = CONVNET.replace(
    "F.max_pool2d(torch.tanh(self.conv2(x)), 2)", "F.max_pool2d(self.conv2(x), 2)"
)

#: Both signs of ∂s/∂Yo slipped: Y·σ(Y·Yo) for −Y·σ(−Y·Yo).
BUG_BOTH_SIGNS = _GRAD_SPELLED_OUT.replace("dYo = -Y * sigm(-Y * Yo)", "dYo = Y * sigm(Y * Yo)")


# ================================================================ real classes: the handout's edges

# Right in exact arithmetic, but with the handout's sigm (0 below -20) it is 0 * inf = 0 where
# Y*Yo < -20: passes the student's own gradcheck and trains (HANDOUT.md, real submissions).
GRAD_EXP_TIMES_SIGM = _GRAD_SPELLED_OUT.replace("dYo = -Y * sigm(-Y * Yo)", "dYo = -Y * np.exp(-Y * Yo) * sigm(Y * Yo)")
#: ...and its twin with the ReLU mask forgotten: wrong with any sigmoid.
BUG_EXP_TIMES_SIGM_NO_MASK = GRAD_EXP_TIMES_SIGM.replace("grad_s_bi = dYo * Wo * (Z > 0)", "grad_s_bi = dYo * Wo")


def _handout_numerical(eps: str = "1e-6", denominator: str = "(2 * eps)") -> str:
    """The handout's gradient_nn_numerical with the loss indexed, ``(loss_plus - loss_minus)[0]``,
    as students write it to silence NumPy's warning: right for the shape-(1,) ``bo`` their
    gradcheck passes, an IndexError for a float ``bo``."""
    import inspect

    from reference import handout

    source = inspect.getsource(handout.gradient_nn_numerical)
    source = source.replace("eps = 1e-8", f"eps = {eps}")
    source = source.replace("(loss_plus - loss_minus) / (2 * eps)", f"(loss_plus - loss_minus)[0] / {denominator}")
    return source


NUMERICAL_INDEXED_LOSS = _handout_numerical()
#: ...and its twin dividing by eps instead of 2 eps: wrong in every form.
BUG_NUMERICAL_INDEXED_BY_EPS = _handout_numerical(denominator="eps")

#: The handout's gradcheck drawing a float ``bo``: with it, the indexed-loss numerical gradient
#: fails in the notebook's own calls, and a form the notebook uses is what it is judged on.
def _gradcheck_float_bo() -> str:
    import inspect

    from reference import handout

    return inspect.getsource(handout.gradcheck).replace("bo = np.random.randn(1)", "bo = np.random.randn()")


GRADCHECK_FLOAT_BO = _gradcheck_float_bo()

#: gradient_nn with its parameters renamed: the notebook calls it positionally, as the grader must.
GRAD_RENAMED_PARAMETERS = """
def gradient_nn(x, y, W1, b1, W2, b2):
    z = x @ W1 + b1
    a = np.maximum(z, 0)
    out = a @ W2 + b2
    d_out = -y * sigm(-y * out)
    d_b1 = d_out * W2 * (z > 0)
    return np.outer(x, d_b1), d_b1, d_out * a, d_out
"""


# ================================================================ the diagnosis tests' styles

# Whole task cells (tests/diagnosis/test_seeded_notebooks.py), correct or with one known
# mistake, written the way students write them (loops, ``np.outer``, ``nn.Sequential``...),
# not as the catalogue's variants are, so a diagnosis has to come from behaviour, not from the
# code's text. Their mistakes are ``gradient(...)`` and ``convnet(...)`` with one argument.

STYLE_GRADIENT = _GRAD_METHOD_DOT

STYLE_GRADIENT_LOOPS = """
def gradient_nn(X, Y, Wi, bi, Wo, bo):
    d, h = Wi.shape
    Z = np.zeros(h)
    for j in range(h):
        Z[j] = bi[j] + sum(X[k] * Wi[k, j] for k in range(d))
    H = np.array([max(z, 0) for z in Z])
    Yo = np.sum(H * Wo) + bo
    delta = -Y / (1 + np.exp(Y * Yo))
    grad_s_Wi = np.zeros((d, h))
    grad_s_bi = np.zeros(h)
    for j in range(h):
        if Z[j] > 0:
            grad_s_bi[j] = delta * Wo[j]
        for k in range(d):
            grad_s_Wi[k, j] = X[k] * grad_s_bi[j]
    return grad_s_Wi, grad_s_bi, delta * H, delta
"""

STYLE_NUMERICAL = """
def gradient_nn_numerical(X, Y, Wi, bi, Wo, bo):
    eps = 1e-6
    def s(Wi, bi, Wo, bo):
        return np.sum(nnet_forward_logloss(X, Y, Wi, bi, Wo, bo)[2])
    gWi = np.zeros(Wi.shape)
    for i in range(Wi.shape[0]):
        for j in range(Wi.shape[1]):
            gWi[i, j] = (s(sumelement_matrix(Wi, i, j, eps), bi, Wo, bo) - s(sumelement_matrix(Wi, i, j, -eps), bi, Wo, bo)) / (2 * eps)
    gbi = np.zeros(bi.shape)
    gWo = np.zeros(Wo.shape)
    for i in range(bi.shape[0]):
        gbi[i] = (s(Wi, sumelement_vector(bi, i, eps), Wo, bo) - s(Wi, sumelement_vector(bi, i, -eps), Wo, bo)) / (2 * eps)
        gWo[i] = (s(Wi, bi, sumelement_vector(Wo, i, eps), bo) - s(Wi, bi, sumelement_vector(Wo, i, -eps), bo)) / (2 * eps)
    gbo = (s(Wi, bi, Wo, bo + eps) - s(Wi, bi, Wo, bo - eps)) / (2 * eps)
    return gWi, gbi, gWo, gbo
"""

STYLE_GRADCHECK = """
def gradcheck():
    for n in range(200):
        X = np.random.randn(2)
        Y = np.random.choice([-1, 1])
        Wi, bi, Wo, bo = np.random.randn(2, 3), np.random.randn(3), np.random.randn(3), np.random.randn(1)
        for a, b in zip(gradient_nn(X, Y, Wi, bi, Wo, bo), gradient_nn_numerical(X, Y, Wi, bi, Wo, bo)):
            if np.mean(np.abs(a - b)) > 1e-6:
                return False
    return True
"""

STYLE_CONVNET_SEQUENTIAL = """
class ConvNet(nn.Module):
    def __init__(self):
        super(ConvNet, self).__init__()
        self.features = nn.Sequential(
            nn.Conv2d(3, 16, kernel_size=5), nn.MaxPool2d(2, 2), nn.Tanh(),
            nn.Conv2d(16, 128, kernel_size=5), nn.MaxPool2d(2, 2), nn.Tanh(),
        )
        self.classifier = nn.Sequential(nn.Flatten(), nn.Linear(3200, 64), nn.Tanh(), nn.Linear(64, 10))

    def forward(self, x):
        return self.classifier(self.features(x))
"""

STYLE_NUMERICAL_FORWARD = """
def gradient_nn_numerical(X, Y, Wi, bi, Wo, bo):
    eps = 1e-2
    _, _, s0 = nnet_forward_logloss(X, Y, Wi, bi, Wo, bo)
    gWi, gbi, gWo = np.zeros(Wi.shape), np.zeros(bi.shape), np.zeros(Wo.shape)
    for i in range(Wi.shape[0]):
        for j in range(Wi.shape[1]):
            gWi[i, j] = np.sum(nnet_forward_logloss(X, Y, sumelement_matrix(Wi, i, j, eps), bi, Wo, bo)[2] - s0) / eps
    for i in range(bi.shape[0]):
        gbi[i] = np.sum(nnet_forward_logloss(X, Y, Wi, sumelement_vector(bi, i, eps), Wo, bo)[2] - s0) / eps
        gWo[i] = np.sum(nnet_forward_logloss(X, Y, Wi, bi, sumelement_vector(Wo, i, eps), bo)[2] - s0) / eps
    gbo = (nnet_forward_logloss(X, Y, Wi, bi, Wo, bo + eps)[2] - s0) / eps
    return gWi, gbi, gWo, gbo
"""

STYLE_NUMERICAL_NO_HALF = STYLE_NUMERICAL.replace("/ (2 * eps)", "/ eps")
STYLE_NUMERICAL_ONE_SIDE = (
    STYLE_NUMERICAL.replace(
        "eps), bi, Wo, bo) - s(sumelement_matrix(Wi, i, j, -eps), bi, Wo, bo))",
        "eps), bi, Wo, bo) - s(Wi, bi, Wo, bo))",
    )
    .replace("- s(Wi, sumelement_vector(bi, i, -eps), Wo, bo)", "- s(Wi, bi, Wo, bo)")
    .replace("- s(Wi, bi, sumelement_vector(Wo, i, -eps), bo)", "- s(Wi, bi, Wo, bo)")
    .replace("- s(Wi, bi, Wo, bo - eps)", "- s(Wi, bi, Wo, bo)")
)

STYLE_GRADCHECK_ALWAYS_TRUE = """
def gradcheck():
    for n in range(200):
        X, Y = np.random.randn(2), np.random.choice([-1, 1])
        Wi, bi, Wo, bo = np.random.randn(2, 3), np.random.randn(3), np.random.randn(3), np.random.randn(1)
        diffs = [np.mean(np.abs(a - b)) for a, b in zip(gradient_nn(X, Y, Wi, bi, Wo, bo), gradient_nn_numerical(X, Y, Wi, bi, Wo, bo))]
    print("max difference", max(diffs))
    return True
"""

STYLE_GRADCHECK_ONLY_WI = """
def gradcheck():
    for n in range(200):
        X, Y = np.random.randn(2), np.random.choice([-1, 1])
        Wi, bi, Wo, bo = np.random.randn(2, 3), np.random.randn(3), np.random.randn(3), np.random.randn(1)
        grad_s_Wi = gradient_nn(X, Y, Wi, bi, Wo, bo)[0]
        grad_s_Wi_num = gradient_nn_numerical(X, Y, Wi, bi, Wo, bo)[0]
        if np.mean(np.abs(grad_s_Wi - grad_s_Wi_num)) > 1e-6:
            return False
    return True
"""

STYLE_GRADCHECK_INVERTED = STYLE_GRADCHECK.replace("> 1e-6", "< 1e-6")
