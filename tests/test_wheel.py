"""The built wheel carries its rule data and model: extraction works from it outside the checkout."""

import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def unpacked_wheel(tmp_path_factory) -> Path:
    """The wheel as pip would build it (the same backend, hatchling, called in this process rather
    than through pip's isolated build environment: a third of the time)."""
    from hatchling.builders.wheel import WheelBuilder

    out = tmp_path_factory.mktemp("wheel")
    (wheel,) = WheelBuilder(str(ROOT)).build(directory=str(out), versions=["standard"])
    target = out / "site"
    with zipfile.ZipFile(wheel) as zf:
        zf.extractall(target)
    return target


def test_wheel_holds_rules_and_model(unpacked_wheel: Path) -> None:
    pkg = unpacked_wheel / "extract"
    assert (pkg / "rules" / "units.yaml").is_file() and (pkg / "rules" / "time.yaml").is_file()
    assert (pkg / "models" / "ner" / "weights.npz").is_file()
    templates = pkg / "report" / "templates"
    assert {p.name for p in templates.iterdir()} >= {"report.html.j2", "report.css", "report.js"}


def test_extraction_runs_from_the_wheel_outside_the_checkout(unpacked_wheel: Path, tmp_path: Path) -> None:
    code = (
        "import sys; sys.path.insert(0, sys.argv[1]);"
        "import extract, extract.resources as r;"
        "assert r.rules_dir().is_relative_to(sys.argv[1]), r.rules_dir();"
        "t = extract.extract_tables('长春海关介绍，全省累计进出口总额达8144亿元。');"
        "print(t['quantities'].value.tolist(), t['entities'].text.tolist(), extract.__file__);"
        "from extract.report.render import render_report; assert 'Corpus overview' in render_report([], title='t')"
    )
    res = subprocess.run([sys.executable, "-c", code, str(unpacked_wheel)], cwd=tmp_path,
                         capture_output=True, text=True, timeout=300)
    assert res.returncode == 0, res.stderr[-2000:]
    assert "[814400000000.0]" in res.stdout and "长春海关" in res.stdout
    assert str(unpacked_wheel) in res.stdout
