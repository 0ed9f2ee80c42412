"""The reference run command, at its smoke-test size."""

import json

from reference import run


def test_run_writes_its_summary_and_figures(tmp_path, capsys):
    assert run.main(["--out", str(tmp_path), "--tiny", "--cifar-root", str(tmp_path)]) == 0
    summary = json.loads((tmp_path / "summary.json").read_text())
    assert summary["gradcheck"] is True
    assert summary["part3"]["ConvNet"]["parameters"]["total"] == 258_058
    assert "synthetic" in summary["part3"]["data"]
    assert set(summary["1.8"]["results"]) == {"1", "2", "5", "7", "10", "100"}
    figures = [f for key in ("1.5", "sample", "1.8", "part2", "part3")
               for f in summary[key]["figures"]]
    assert len(figures) == 2 + 2 + 8 + 1 + 1
    for name in figures:
        assert (tmp_path / name).read_bytes().startswith(b"\x89PNG")
    md = (tmp_path / "summary.md").read_text()
    assert "1.4 gradcheck: SUCCESS" in md and "258,058" in md and "204,864" in md
    assert "synthetic" in capsys.readouterr().out
