"""Package metadata read from nbdev's settings.ini, so notebooks, package and pip agree on one source."""
from configparser import ConfigParser
from pathlib import Path

import setuptools

cfg = ConfigParser(delimiters=["="])
cfg.read(Path(__file__).parent / "settings.ini", encoding="utf-8")
cfg = cfg["DEFAULT"]

spdx_licenses = {"apache2": "Apache-2.0"}
requirements = cfg.get("requirements", "").split()
dev_requirements = cfg.get("dev_requirements", "").split()
bench_requirements = cfg.get("bench_requirements", "").split()
console_scripts = cfg.get("console_scripts", "").split()

setuptools.setup(
    name=cfg["repo"],
    version=cfg["version"],
    description=cfg["description"],
    long_description=(Path(__file__).parent / "README.md").read_text(encoding="utf-8"),
    long_description_content_type="text/markdown",
    author=cfg["author"],
    author_email=cfg["author_email"],
    license=spdx_licenses[cfg["license"]],
    classifiers=[
        "Development Status :: 3 - Alpha",
        "Intended Audience :: Science/Research",
        "Programming Language :: Python :: 3.11",
        "Natural Language :: English",
    ],
    url=cfg["git_url"],
    keywords=cfg["keywords"],
    python_requires=f">={cfg['min_python']}",
    packages=setuptools.find_packages(include=[cfg["lib_name"], f"{cfg['lib_name']}.*"]),
    include_package_data=True,
    # peer_figures.csv (read by clv_research.report) and the report templates a sweep runs (clv_research.sweep.templates_dir)
    package_data={cfg["lib_name"]: ["*.csv", "templates/*.ipynb"]},
    install_requires=requirements,
    extras_require={"dev": dev_requirements, "bench": bench_requirements},
    entry_points={"console_scripts": console_scripts, "nbdev": [f"{cfg['lib_path']}={cfg['lib_path']}._modidx:d"]},
    zip_safe=False,
)
