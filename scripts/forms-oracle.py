#!/usr/bin/env python3
"""Records how repo2docker's readers see the form cases under Tests/R2DBuildpacksTests/Forms, so the Swift tests
compare against them without Python in CI.

  pip install 'ruamel.yaml==0.18.*' toml==0.10.2 packaging
  python3 scripts/forms-oracle.py   # rewrites Tests/R2DBuildpacksTests/Forms/expected.json

YAML: ruamel.yaml's default YAML() (round-trip, YAML 1.2), as repo2docker's conda buildpack loads environment.yml.
TOML: tomllib (pyproject.toml) and toml 0.10.2 (Pipfile, Project.toml). Specifiers: packaging's SpecifierSet over
the Python versions swift-r2d can pick (3.8 to 3.14), as repo2docker's python buildpack filters them.

Values are written in one shape for all readers: strings as JSON strings, booleans and null as JSON, other scalars
as {"!": type}, lists as arrays, mappings as {"map": [[key, value], ...]} sorted by key, a refusal as
{"error": line}.
"""
import datetime
import json
import pathlib
import sys
import tomllib

import packaging.specifiers
import packaging.version
import ruamel.yaml
import toml

FORMS = pathlib.Path(__file__).resolve().parent.parent / "Tests/R2DBuildpacksTests/Forms"
CANDIDATES = [f"3.{minor}" for minor in range(8, 15)]


def encode(value):
    if isinstance(value, str):
        return str(value)
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, int):
        return {"!": "int"}
    if isinstance(value, float):
        return {"!": "float"}
    if isinstance(value, (datetime.date, datetime.time)):
        return {"!": "timestamp"}
    if isinstance(value, list):
        return [encode(v) for v in value]
    if isinstance(value, dict):
        pairs = [[encode(k), encode(v)] for k, v in value.items()]
        return {"map": sorted(pairs, key=lambda p: json.dumps(p[0], sort_keys=True))}
    if isinstance(value, ruamel.yaml.comments.TaggedScalar):
        return {"!": "tagged"}
    return {"!": type(value).__name__}


def read_yaml(data):
    try:
        return encode(ruamel.yaml.YAML().load(data.decode("utf-8")))
    except ruamel.yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None) or getattr(error, "context_mark", None)
        return {"error": mark.line + 1 if mark else 0}


def read_toml(reader, data):
    try:
        return encode(reader(data.decode("utf-8")))
    except Exception as error:  # both readers raise several types for bad input
        return {"error": getattr(error, "lineno", 0)}


def specifier(text):
    try:
        allowed = packaging.specifiers.SpecifierSet(text)
    except packaging.specifiers.InvalidSpecifier:
        return {"error": 0}
    return [v for v in CANDIDATES if packaging.version.Version(v) in allowed]


def main():
    expected = {"yaml": {}, "toml": {}, "specifiers": {}}
    for path in sorted((FORMS / "yaml").iterdir()):
        expected["yaml"][path.name] = read_yaml(path.read_bytes())
    for path in sorted((FORMS / "toml").iterdir()):
        data = path.read_bytes()
        expected["toml"][path.name] = {"tomllib": read_toml(tomllib.loads, data), "toml": read_toml(toml.loads, data)}
    for line in (FORMS / "specifiers.txt").read_text().splitlines():
        expected["specifiers"][line] = specifier(line)
    (FORMS / "expected.json").write_text(json.dumps(expected, indent=1, sort_keys=True) + "\n")
    print(f"forms-oracle: {len(expected['yaml'])} YAML, {len(expected['toml'])} TOML, {len(expected['specifiers'])} specifier cases",
          file=sys.stderr)


if __name__ == "__main__":
    main()
