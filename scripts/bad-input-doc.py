#!/usr/bin/env python3
"""Writes Docs/bad-input.md from Fixtures/bad/*/case.json (BadInputTests checks every case is listed)."""
import json, os, sys

root = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
corpus = os.path.join(root, "Fixtures", "bad")
names = sorted(n for n in os.listdir(corpus) if os.path.exists(os.path.join(corpus, n, "case.json")))

out = ["""# Bad input

`Fixtures/bad/` holds one directory per malformed repository or command line. Each gives one line of error on
stderr (the last line; progress lines such as "Picked Local content provider." may come before it) naming the file
or flag and what to do, the exit status below, and under `--json-logs` only JSON lines, the last with
`"phase": "failed"` and the same message. None may crash. `BadInputTests` (Tests/R2DIntegrationTests) runs every
case through the real binary both ways:

    swift build --build-tests && swift test --skip-build --filter BadInputTests

No case needs a container engine: `DOCKER_HOST` points at a socket that does not exist, or (`"engine": "stub"`) at a
stub that only answers `/_ping` and `/version`.

## case.json

| Field | Meaning |
|---|---|
| `summary` | what is wrong, in a few words |
| `args` | the command line after the program name; `{repo}` is the case's repository, `{url}` its `file://` URL |
| `git` | make the repository a git repository with one commit (default `true`) |
| `setup` | made at test time, never committed: `{"symlink": path, "target": t}`, `{"nonUTF8": name}` / `{"nonUTF8Dir": name}` (`<FF>` in the name is the byte 0xFF), `{"bytes": path, "hex": "…"}` |
| `shell` | pass the arguments through `sh` and `printf %b`, so `<FF>` reaches the program as the byte 0xFF |
| `engine` | `"stub"`: the stub engine above |
| `exit` | the exit status |
| `message` | the exact last line of stderr (`{repo}`, `{url}` substituted) |

The other files of a case directory are the repository. Regenerate this page with `scripts/bad-input-doc.py`.

## Exit statuses

| Status | When |
|---|---|
| 1 | bad repository content, a failed clone, a flag value rejected after parsing (ports, volumes, `--subdir`, engine) |
| 2 | usage: unknown flags, values ArgumentParser or the trait checks reject, a bad `--config` file, arguments that are not UTF-8 |
| 255 | `--build-memory-limit` (no longer supported) |

## Cases
"""]
out.append("| Case | Input | Exit | Message |")
out.append("|---|---|---|---|")
for name in names:
    spec = json.load(open(os.path.join(corpus, name, "case.json")))
    message = spec["message"].replace("|", "\\|")
    out.append(f"| `{name}` | {spec['summary']} | {spec['exit']} | `{message}` |")
open(os.path.join(root, "Docs", "bad-input.md"), "w").write("\n".join(out) + "\n")
print(f"{len(names)} cases")
