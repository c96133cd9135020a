"""Repository promises that belong to no notebook: pins agree across files, the README is generated, data is intact."""
import configparser
import re
from pathlib import Path

import yaml

from clv_research.data import CDNOW_FILES, raw_data_dir, sha256_file

ROOT = Path(__file__).resolve().parents[1]


def settings():
    cfg = configparser.ConfigParser(delimiters=["="])
    cfg.read(ROOT / "settings.ini")
    return cfg["DEFAULT"]


def normalise(req: str) -> str:
    "A pin without spaces and extras (conda's dask is pip's dask[dataframe])."
    return re.sub(r"\[[^]]*\]", "", re.sub(r"\s+", "", req)).lower().replace("_", "-")


def test_environment_yml_has_the_settings_pins():
    s = settings()
    pip_side = {normalise(r) for r in (s["requirements"] + " " + s["dev_requirements"]).split()}
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    conda = {normalise(d) for d in env["dependencies"] if isinstance(d, str)}
    conda |= {normalise(d) for d in next(d["pip"] for d in env["dependencies"] if isinstance(d, dict))}
    missing = sorted(pip_side - conda)
    assert not missing, f"environment.yml lacks these settings.ini pins: {missing}"
    assert "python=3.11" in conda and s["min_python"] == "3.11"


def test_nbdev_settings_the_project_relies_on():
    s = settings()
    assert s["lib_name"] == "clv_research" and s["tst_flags"] == "notest slow"
    assert s["allowed_cell_metadata_keys"] == "tags" and s["readme_nb"] == "index.ipynb"
    assert "nbdev==2.4.14" in s["dev_requirements"].split()


def test_report_templates_are_excluded_from_nbdev_test():
    assert (ROOT / "nbs" / "reports" / ".notest").exists()


def test_raw_data_checksums():
    for name, expected in CDNOW_FILES.values():
        assert sha256_file(raw_data_dir() / name) == expected, name


def test_notebooks_are_committed_without_outputs():
    # nbdev_clean keeps outputs (clear_all = False), so this is the check that notebooks stay source only
    import json

    with_outputs = [f"{nb.relative_to(ROOT)} cell {i}" for nb in sorted((ROOT / "nbs").rglob("*.ipynb"))
                    if ".ipynb_checkpoints" not in nb.parts
                    for i, cell in enumerate(json.loads(nb.read_text())["cells"])
                    if cell.get("outputs") or cell.get("execution_count")]
    assert not with_outputs, f"clear these outputs before committing: {with_outputs[:10]}"
