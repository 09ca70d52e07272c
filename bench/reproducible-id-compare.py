#!/usr/bin/env python3
"""Compares two `docker save` archives of one image built on two daemons (bench/reproducible-id.sh).

Prints markdown: the image IDs, the config fields that differ, one row per layer (its step, both diff IDs), and
for each layer that differs, which of its files differ and how. Usage: reproducible-id-compare.py FIXTURE SHA A B
"""

import base64
import binascii
import datetime
import hashlib
import json
import sys
import tarfile


def when(seconds):
    return datetime.datetime.fromtimestamp(seconds, datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def read_image(path):
    """The config (parsed), its digest, and the layer tars' members, from a docker save archive."""
    archive = tarfile.open(path)
    manifest = json.load(archive.extractfile("manifest.json"))[0]
    config_bytes = archive.extractfile(manifest["Config"]).read()
    layers = []
    for name in manifest["Layers"]:
        layer = tarfile.open(fileobj=archive.extractfile(name))
        members = {}
        for member in layer:
            content = layer.extractfile(member).read() if member.isfile() else b""
            members[member.name] = {
                "mtime": when(int(member.mtime)), "size": member.size, "mode": oct(member.mode),
                "owner": f"{member.uid}:{member.gid}", "type": member.type.decode() or "0",
                "link": member.linkname, "content": hashlib.sha256(content).hexdigest()[:12],
                "pax": {k: v for k, v in member.pax_headers.items() if k not in ("path", "linkpath", "mtime")},
            }
        layers.append(members)
    return json.loads(config_bytes), "sha256:" + hashlib.sha256(config_bytes).hexdigest(), layers


def steps(config):
    """The history entries that made a layer, in layer order (an imported base image has no created_by)."""
    made = [h for h in config.get("history", []) if not h.get("empty_layer")]
    return [h.get("created_by") or h.get("comment") or "(base image)" for h in made]


def decoded(value):
    """A base64 string holding JSON (BuildKit's inline cache metadata) as that JSON; anything else as it is."""
    if isinstance(value, str):
        try:
            return json.loads(base64.b64decode(value, validate=True))
        except (ValueError, binascii.Error):
            pass
    return value


def leaf_differences(a, b, path=""):
    """The paths of the JSON leaves that differ, with both values."""
    if isinstance(a, dict) and isinstance(b, dict):
        return [d for k in sorted(set(a) | set(b)) for d in leaf_differences(a.get(k), b.get(k), f"{path}.{k}")]
    if isinstance(a, list) and isinstance(b, list) and len(a) == len(b):
        return [d for i, (x, y) in enumerate(zip(a, b)) for d in leaf_differences(x, y, f"{path}[{i}]")]
    return [] if a == b else [f"`{path or '.'}`: {json.dumps(a)[:80]} vs {json.dumps(b)[:80]}"]


def config_differences(a, b):
    rows = []
    for key in sorted(set(a) | set(b)):
        if key != "rootfs" and a.get(key) != b.get(key):
            leaves = leaf_differences(decoded(a.get(key)), decoded(b.get(key)))
            rows.append(f"- config `{key}` differs in {len(leaves)} values, e.g. " + "; ".join(leaves[:3]))
    return rows


def file_differences(a, b, limit=8):
    """The files of a layer that differ: those that differ in more than their mtime first, then the mtime-only."""
    deeper, mtime_only = [], []
    for name in sorted(set(a) | set(b)):
        if name not in a or name not in b:
            deeper.append(f"  - `{name}`: only in {'A' if name in a else 'B'}")
            continue
        fields = [k for k in a[name] if a[name][k] != b[name][k]]
        described = f"  - `{name}`: " + "; ".join(f"{k} {a[name][k]} vs {b[name][k]}" for k in fields)
        if fields == ["mtime"]:
            mtime_only.append(described)
        elif fields:
            deeper.append(described)
    rows = []
    for kind, found in (("in more than their mtime", deeper), ("only in their mtime", mtime_only)):
        if found:
            rows.append(f"- {len(found)} files differ {kind}:")
            rows += found[:limit] + ([f"  - … and {len(found) - limit} more"] if len(found) > limit else [])
    return rows


def main():
    fixture, sha, path_a, path_b = sys.argv[1:5]
    config_a, id_a, layers_a = read_image(path_a)
    config_b, id_b, layers_b = read_image(path_b)
    diff_a, diff_b = config_a["rootfs"]["diff_ids"], config_b["rootfs"]["diff_ids"]
    print(f"\n### `{fixture}` at {sha[:12]}: image IDs {'EQUAL' if id_a == id_b else 'DIFFER'}\n")
    print(f"- A: `{id_a}`, Created {config_a.get('created')}")
    print(f"- B: `{id_b}`, Created {config_b.get('created')}")
    for row in config_differences(config_a, config_b):
        print(row)
    print("\n| # | step | diff ID on A | on B | same |\n|---|---|---|---|---|")
    names = steps(config_a)
    for index in range(max(len(diff_a), len(diff_b))):
        one = diff_a[index] if index < len(diff_a) else "-"
        other = diff_b[index] if index < len(diff_b) else "-"
        step = names[index] if index < len(names) else "?"
        step = step.replace("|", "\\|").replace("\n", " ")[:70]
        print(f"| {index} | `{step}` | {one[7:19]} | {other[7:19]} | {'yes' if one == other else '**no**'} |")
    fields = set()
    for index, (one, other) in enumerate(zip(layers_a, layers_b)):
        if diff_a[index] != diff_b[index]:
            print(f"\nLayer {index} differs in:")
            for row in file_differences(one, other):
                print(row)
            for name in set(one) & set(other):
                fields |= {k for k in one[name] if one[name][k] != other[name][k]}
            fields |= {"set of files"} if set(one) != set(other) else set()
    same = sum(1 for x, y in zip(diff_a, diff_b) if x == y)
    config = [key for key in sorted(set(config_a) | set(config_b)) if key != "rootfs" and config_a.get(key) != config_b.get(key)]
    print(f"\nSummary: {same} of {len(diff_a)} layers equal; in the others the files differ only in: "
          f"{', '.join(sorted(fields)) or 'nothing'}; config fields that differ: {', '.join(config) or 'none'}.")


if __name__ == "__main__":
    main()
