"""Packaging glue that pyproject.toml cannot express on its own.

The repository keeps icons, fingerprints, schemas and samples in a top-level ``resources/``
folder (where designers and packagers look for them). Installed, that folder becomes the data
package ``clickaudit.resources`` so ``importlib.resources`` finds it in any kind of install.
"""

from setuptools import find_packages, setup

setup(
    packages=[*find_packages(include=["clickaudit", "clickaudit.*"]), "clickaudit.resources"],
    package_dir={"clickaudit.resources": "resources"},
    package_data={"clickaudit.resources": ["**/*"]},
    include_package_data=True,
)
