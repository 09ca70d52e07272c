#!/usr/bin/env python3
"""Compares two `docker save` archives of one image built on two daemons (bench/reproducible-id.sh).

Prints markdown: the image IDs, the config fields that differ, one row per layer (its step, both diff IDs), and
for each layer that differs, which of its files differ and how. Usage: reproducible-id-compare.py FIXTURE SHA A B
"""

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


def config_differences(a, b):
    rows = []
    for key in sorted(set(a) | set(b)):
        if key in ("rootfs",):
            continue
        if a.get(key) != b.get(key):
            rows.append(f"- config `{key}`: `{json.dumps(a.get(key))[:160]}` vs `{json.dumps(b.get(key))[:160]}`")
    return rows


def file_differences(a, b, limit=12):
    rows = []
    for name in sorted(set(a) | set(b)):
        if name not in a or name not in b:
            rows.append(f"  - `{name}`: only in {'A' if name in a else 'B'}")
            continue
        fields = [f"{k} {a[name][k]} vs {b[name][k]}" for k in a[name] if a[name][k] != b[name][k]]
        if fields:
            rows.append(f"  - `{name}`: " + "; ".join(fields))
    return rows[:limit] + ([f"  - … and {len(rows) - limit} more files"] if len(rows) > limit else [])


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
