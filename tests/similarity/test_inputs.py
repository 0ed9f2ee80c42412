"""Reading: magics neutralised, prose normalised, folders walked, and the CLI piece."""

from __future__ import annotations

import argparse

from nbfactory import write_notebook

from grader.similarity import cli, run_similarity
from grader.similarity.documents import neutralise_magics
from grader.similarity.fingerprints import words

GRADIENT = """\
def gradient_nn(X, Y, Wi, bi, Wo, bo):
    z = X @ Wi + bi
    h = np.maximum(z, 0)
    yo = h @ Wo + bo
    d = -Y * sigm(-Y * yo)
    gbi = d * Wo * (z > 0)
    return np.outer(X, gbi), gbi, d * h, d


class ConvNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(3, 16, 5)
        self.conv2 = nn.Conv2d(16, 128, 5)
        self.fc1 = nn.Linear(3200, 64)
        self.fc2 = nn.Linear(64, 10)

    def forward(self, x):
        x = F.max_pool2d(torch.tanh(self.conv1(x)), 2)
        x = F.max_pool2d(torch.tanh(self.conv2(x)), 2)
        return self.fc2(torch.tanh(self.fc1(x.flatten(1))))
"""


def test_magics_are_blanked_keeping_line_numbers():
    source = "%matplotlib inline\n!pip install torch\nx = 1\n  %time y = 2\n"
    assert neutralise_magics(source) == "\n\nx = 1\n\n"


def test_magics_do_not_hide_a_copy(tmp_path):
    (tmp_path / "s" / "deep").mkdir(parents=True)
    write_notebook(tmp_path / "s" / "A2_ONE_A.ipynb", [GRADIENT])
    write_notebook(
        tmp_path / "s" / "deep" / "A2_TWO_B.ipynb",
        ["%matplotlib inline\n!pip install numpy\n" + GRADIENT.replace("gbi", "g_hidden")],
    )
    report = run_similarity([tmp_path / "s"], None, base=None)
    assert [p.score for p in report.pairs] == [1.0]  # found in the sub-folder, renaming ignored


def test_a_few_common_lines_in_nearly_empty_notebooks_are_not_flagged(tmp_path):
    (tmp_path / "s").mkdir()
    snippet = "model = ConvNet().to(device)\noptimizer = optim.SGD(model.parameters(), lr=0.01)\n"
    write_notebook(tmp_path / "s" / "A2_ONE_A.ipynb", [snippet])
    write_notebook(tmp_path / "s" / "A2_TWO_B.ipynb", [snippet])
    report = run_similarity([tmp_path / "s"], None, base=None)
    assert 0 < report.pairs[0].score < 0.4  # the min_code floor: a few fingerprints are not 100%


def test_prose_is_normalised():
    text = "The **Laplacian** filter: $\\Delta f = \\sum_i \\partial^2 f$.\nIt finds <b>edges</b>!"
    assert words(text) == [
        ("the", 1),
        ("laplacian", 1),
        ("filter", 1),
        ("it", 2),
        ("finds", 2),
        ("edges", 2),
    ]


def _args(*argv: str) -> argparse.Namespace:
    parser = argparse.ArgumentParser()
    cli.add_arguments(parser)
    return parser.parse_args(list(argv))


def test_cli_writes_the_report(tmp_path, template, capsys):
    (tmp_path / "s").mkdir()
    write_notebook(tmp_path / "s" / "A2_ONE_A.ipynb", [GRADIENT])
    write_notebook(tmp_path / "s" / "A2_TWO_B.ipynb", ["# mine\n" + GRADIENT])
    code = cli.run(
        _args(str(tmp_path / "s"), "--out", str(tmp_path / "out"), "--base", str(template))
    )
    assert code == 0
    assert {p.name for p in (tmp_path / "out").iterdir()} == {
        "similarity.csv",
        "similarity.json",
        "similarity.html",
    }
    assert "1 to review" in capsys.readouterr().out


def test_cli_without_notebooks_fails_clearly(tmp_path, capsys):
    (tmp_path / "empty").mkdir()
    assert cli.run(_args(str(tmp_path / "empty"), "--out", str(tmp_path / "out"), "--no-base")) == 2
    assert "no notebooks" in capsys.readouterr().out


def test_an_unreadable_base_is_an_error_not_an_empty_base(tmp_path, capsys):
    (tmp_path / "s").mkdir()
    write_notebook(tmp_path / "s" / "A2_ONE_A.ipynb", [GRADIENT])
    (tmp_path / "template.ipynb").write_text("not json", encoding="utf-8")
    args = _args(
        str(tmp_path / "s"),
        "--out",
        str(tmp_path / "out"),
        "--base",
        str(tmp_path / "template.ipynb"),
    )
    assert cli.run(args) == 2
    assert "base file" in capsys.readouterr().out
