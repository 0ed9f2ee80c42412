"""Code students write, correct or with one known mistake: the sources the diagnosis tests grade.

Written the way students write it (loops, ``np.outer``, ``nn.Sequential``...), not as the
catalogue's variants are, so a diagnosis has to come from behaviour, not from the code's text.
"""

from __future__ import annotations

from dataclasses import dataclass

# ------------------------------------------------------------------ correct

GRADIENT = """
def gradient_nn(X, Y, Wi, bi, Wo, bo):
    Z = X.dot(Wi) + bi
    H = np.maximum(0, Z)
    Yo = H.dot(Wo) + bo
    dYo = -Y * sigm(-Y * Yo)
    grad_s_bo = dYo
    grad_s_Wo = dYo * H
    grad_s_bi = dYo * Wo * (Z > 0)
    grad_s_Wi = np.outer(X, grad_s_bi)
    return grad_s_Wi, grad_s_bi, grad_s_Wo, grad_s_bo
"""

GRADIENT_LOOPS = """
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

NUMERICAL = """
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

GRADCHECK = """
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

CONVNET_SEQUENTIAL = """
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


def _convnet(
    conv1: str = "nn.Conv2d(3, 16, 5)",
    conv2: str = "nn.Conv2d(16, 128, 5)",
    pool: str = "nn.MaxPool2d(2, 2)",
    act: str = "torch.tanh",
    flat: int = 3200,
    fc1_bias: str = "",
) -> str:
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


# ------------------------------------------------------------------ one known mistake each


def _gradient(
    dYo: str = "-Y * sigm(-Y * Yo)",
    bi: str = "dYo * Wo * (Z > 0)",
    wi: str = "np.outer(X, grad_s_bi)",
    wo: str = "dYo * H",
) -> str:
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


NUMERICAL_FORWARD = """
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

NUMERICAL_NO_HALF = NUMERICAL.replace("/ (2 * eps)", "/ eps")
NUMERICAL_ONE_SIDE = (
    NUMERICAL.replace(
        "eps), bi, Wo, bo) - s(sumelement_matrix(Wi, i, j, -eps), bi, Wo, bo))",
        "eps), bi, Wo, bo) - s(Wi, bi, Wo, bo))",
    )
    .replace("- s(Wi, sumelement_vector(bi, i, -eps), Wo, bo)", "- s(Wi, bi, Wo, bo)")
    .replace("- s(Wi, bi, sumelement_vector(Wo, i, -eps), bo)", "- s(Wi, bi, Wo, bo)")
    .replace("- s(Wi, bi, Wo, bo - eps)", "- s(Wi, bi, Wo, bo)")
)

GRADCHECK_ALWAYS_TRUE = """
def gradcheck():
    for n in range(200):
        X, Y = np.random.randn(2), np.random.choice([-1, 1])
        Wi, bi, Wo, bo = np.random.randn(2, 3), np.random.randn(3), np.random.randn(3), np.random.randn(1)
        diffs = [np.mean(np.abs(a - b)) for a, b in zip(gradient_nn(X, Y, Wi, bi, Wo, bo), gradient_nn_numerical(X, Y, Wi, bi, Wo, bo))]
    print("max difference", max(diffs))
    return True
"""

GRADCHECK_ONLY_WI = """
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

GRADCHECK_INVERTED = GRADCHECK.replace("> 1e-6", "< 1e-6")


@dataclass(frozen=True)
class Case:
    name: str
    code: dict[str, str]
    diagnoses: tuple[str, ...]  # exactly the diagnosis codes the report must carry
    answer_3_6: str | None = None


PART1 = {"1.2": GRADIENT, "1.4": NUMERICAL + GRADCHECK}

CORRECT = (
    Case(
        "correct-vectorised",
        {**PART1, "3.2": CONVNET},
        (),
        "258,058 parameters. Per layer: conv1: 1216, conv2: 51328, fc1: 204864, fc2: 650.",
    ),
    Case(
        "correct-loops-sequential",
        {"1.2": GRADIENT_LOOPS, "1.4": NUMERICAL + GRADCHECK, "3.2": CONVNET_SEQUENTIAL},
        (),
        "Total = 258 058 (1 216 + 51 328 + 204 864 + 650)",
    ),
)

BUGS = (
    Case(
        "sign-flipped", {"1.2": _gradient(dYo="Y * sigm(-Y * Yo)")}, ("gradient_nn.sign_flipped",)
    ),
    Case("no-relu-mask", {"1.2": _gradient(bi="dYo * Wo")}, ("gradient_nn.no_relu_mask",)),
    Case(
        "wi-transposed",
        {"1.2": _gradient(wi="np.outer(grad_s_bi, X)")},
        ("gradient_nn.wi_transposed",),
    ),
    Case("squared-loss", {"1.2": _gradient(dYo="Yo - Y")}, ("gradient_nn.squared_loss",)),
    Case(
        "sigmoid-argument",
        {"1.2": _gradient(dYo="-Y * sigm(-Yo)")},
        ("gradient_nn.sigmoid_argument",),
    ),
    Case("wo-without-relu", {"1.2": _gradient(wo="dYo * Z")}, ("gradient_nn.wo_without_relu",)),
    Case("bi-without-wo", {"1.2": _gradient(bi="dYo * (Z > 0)")}, ("gradient_nn.bi_without_wo",)),
    Case(
        "forward-difference",
        {"1.2": GRADIENT, "1.4": NUMERICAL_FORWARD + GRADCHECK},
        ("numerical.one_sided",),
    ),
    Case(
        "no-half",
        {"1.2": GRADIENT, "1.4": NUMERICAL_NO_HALF + GRADCHECK},
        ("numerical.missing_half",),
    ),
    Case(
        "one-side-only",
        {"1.2": GRADIENT, "1.4": NUMERICAL_ONE_SIDE + GRADCHECK},
        ("numerical.one_side_only",),
    ),
    Case(
        "gradcheck-always-true",
        {"1.2": GRADIENT, "1.4": NUMERICAL + GRADCHECK_ALWAYS_TRUE},
        ("gradcheck.never_fails",),
    ),
    Case(
        "gradcheck-only-wi",
        {"1.2": GRADIENT, "1.4": NUMERICAL + GRADCHECK_ONLY_WI},
        ("gradcheck.only_wi",),
    ),
    Case(
        "gradcheck-inverted",
        {"1.2": GRADIENT, "1.4": NUMERICAL + GRADCHECK_INVERTED},
        ("gradcheck.inverted",),
    ),
    Case(
        "pool-stride-1",
        {"3.2": _convnet(pool="nn.MaxPool2d(2, stride=1)", flat=128 * 22 * 22)},
        ("convnet.pool_stride_1",),
    ),
    Case(
        "conv-padding",
        {
            "3.2": _convnet(
                conv1="nn.Conv2d(3, 16, 5, padding=2)",
                conv2="nn.Conv2d(16, 128, 5, padding=2)",
                flat=128 * 8 * 8,
            )
        },
        ("convnet.conv_padding",),
    ),
    Case(
        "conv-no-bias",
        {
            "3.2": _convnet(
                conv1="nn.Conv2d(3, 16, 5, bias=False)", conv2="nn.Conv2d(16, 128, 5, bias=False)"
            )
        },
        ("convnet.conv_no_bias",),
    ),
    Case("relu", {"3.2": _convnet(act="F.relu")}, ("convnet.relu_for_tanh",)),
    Case(
        "average-pooling", {"3.2": _convnet(pool="nn.AvgPool2d(2)")}, ("convnet.average_pooling",)
    ),
    Case(
        "own-network-total",
        {
            "3.2": CONVNET_SEQUENTIAL.replace(
                "nn.Linear(64, 10)", "nn.Linear(64, 10, bias=False)"
            ).replace("nn.Linear(3200, 64)", "nn.Linear(3200, 64, bias=False)")
        },
        ("convnet.fc_no_bias", "answer_3_6.own_network"),
        "My network has 257,984 parameters.",
    ),
    Case(
        "own-network-per-layer",
        {"3.2": _convnet(pool="nn.MaxPool2d(2, stride=1)", flat=128 * 22 * 22)},
        ("convnet.pool_stride_1", "answer_3_6.own_network"),
        "conv1: 1216\nconv2: 51328\nfc1: 3964992\nfc2: 650\ntotal: 4018186",
    ),
)
