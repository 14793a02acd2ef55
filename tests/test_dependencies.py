"""One source of truth: environment.yml and constraints.txt agree with pyproject.toml."""

from __future__ import annotations

import re

import pytest
import tomllib
import yaml
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from toc import ROOT

PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
SELF = canonicalize_name(PYPROJECT["name"])


def _pyproject_requirements() -> set[str]:
    reqs = list(PYPROJECT["dependencies"])
    for extra in PYPROJECT["optional-dependencies"].values():
        reqs += [r for r in extra if canonicalize_name(Requirement(r).name) != SELF]
    return {str(Requirement(r)) for r in reqs}


def _environment() -> dict:
    return yaml.safe_load((ROOT / "environment.yml").read_text(encoding="utf-8"))


def _constraints() -> dict[str, str]:
    pins = {}
    for line in (ROOT / "constraints.txt").read_text(encoding="utf-8").splitlines():
        line = line.split("#")[0].strip()
        if line:
            name, version = re.fullmatch(r"([A-Za-z0-9_.\-]+)==(\S+)", line).groups()
            pins[canonicalize_name(name)] = version
    return pins


def test_environment_yml_pins_python_311_and_pip():
    deps = _environment()["dependencies"]
    assert "python=3.11" in deps and "pip" in deps


def test_environment_yml_lists_exactly_the_pyproject_requirements():
    pip_section = next(d["pip"] for d in _environment()["dependencies"] if isinstance(d, dict))
    listed = {str(Requirement(r)) for r in pip_section if not r.startswith("-")}
    expected = _pyproject_requirements()
    assert listed == expected, (
        f"only in environment.yml: {listed - expected}; only in pyproject: {expected - listed}"
    )


READER_EXTRAS = ("torch", "tf", "nlp", "vision", "deploy")
TOOL_EXTRAS = ("book", "test", "dev")


def test_binder_environment_is_the_readers_and_nothing_else():
    binder = yaml.safe_load((ROOT / "binder" / "environment.yml").read_text(encoding="utf-8"))
    pip_section = next(d["pip"] for d in binder["dependencies"] if isinstance(d, dict))
    listed = {str(Requirement(r)) for r in pip_section if not r.startswith("-")}
    extras = PYPROJECT["optional-dependencies"]
    expected = {str(Requirement(r)) for r in PYPROJECT["dependencies"]}
    expected |= {str(Requirement(r)) for e in READER_EXTRAS for r in extras[e]}
    assert listed == expected, (
        f"only in binder/: {listed - expected}; missing from binder/: {expected - listed}"
    )
    tools = {canonicalize_name(Requirement(r).name) for e in TOOL_EXTRAS for r in extras[e]}
    assert not tools & {canonicalize_name(Requirement(r).name) for r in listed}
    assert set(extras) - {"all"} == set(READER_EXTRAS) | set(TOOL_EXTRAS)


def test_all_extra_covers_every_other_extra():
    extras = set(PYPROJECT["optional-dependencies"]) - {"all"}
    (all_req,) = PYPROJECT["optional-dependencies"]["all"]
    assert Requirement(all_req).extras == extras


@pytest.mark.parametrize("requirement", sorted(_pyproject_requirements()))
def test_constraints_pin_every_requirement_within_its_range(requirement):
    req = Requirement(requirement)
    pins = _constraints()
    name = canonicalize_name(req.name)
    assert name in pins, f"{req.name} has no pin in constraints.txt"
    assert req.specifier.contains(pins[name], prereleases=True), (
        f"{req.name}=={pins[name]} violates {req}"
    )


def test_torch_pin_is_the_wheel_on_disk_and_has_no_local_label():
    assert _constraints()["torch"] == "2.13.0"
