"""Maps the product card's top-level folders onto one `shenava` namespace.

pyproject.toml holds all metadata; this file only computes the package list,
because subpackages under the mapped folders are discovered as they are added.
"""
from setuptools import find_packages, setup

ROOTS = {
    "shenava": "shenava",
    "shenava.connectors": "connectors",
    "shenava.storage": "storage",
    "shenava.nlp": "nlp",
    "shenava.digest": "digest",
    "shenava.flows": "flows",
}

packages = []
for package, folder in ROOTS.items():
    packages.append(package)
    packages += [f"{package}.{sub}" for sub in find_packages(folder)]

setup(packages=packages, package_dir=ROOTS)
