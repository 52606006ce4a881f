"""Packaging glue that pyproject.toml cannot express on its own.

The repository keeps icons, fingerprints, schemas and samples in a top-level ``resources/``
folder (where designers and packagers look for them). Installed, that folder becomes the data
package ``clickaudit.resources`` so ``importlib.resources`` finds it in any kind of install.
"""

from setuptools import find_namespace_packages, find_packages, setup

resource_packages = [
    "clickaudit.resources",
    *(f"clickaudit.resources.{name}" for name in find_namespace_packages(where="resources")),
]

setup(
    packages=[*find_packages(include=["clickaudit", "clickaudit.*"]), *resource_packages],
    package_dir={"clickaudit.resources": "resources"},
    package_data={name: ["*"] for name in resource_packages},
)
