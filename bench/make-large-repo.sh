#!/usr/bin/env bash
# Generates a deterministic, git-committed repository of about 1.5 GB in about 20,000 files, with a
# Dockerfile `FROM <base>` + `COPY . /srv/repo`, for the build-pipeline bench.
#
# Usage: bench/make-large-repo.sh DIR [SEED]
#   env: BENCH_BASE_IMAGE (swift-r2d/test-base:bookworm), BENCH_SMALL_FILES (19950),
#        BENCH_LARGE_BYTES (1200000000), BENCH_SMALL_MAX (100000)
#
# Idempotent: when DIR holds a repository generated with the same parameters (recorded in
# DIR/.git/bench-spec) and its work tree is clean, it is left as it is. The same seed and parameters
# give the same bytes and the same commit hash on every machine.
#
# Content: many small text files that look like a Python/Swift/docs project (lines drawn from a
# seeded pool of generated code and prose, so they compress like source, ~4x), and ~50 files of
# 1-50 MB: CSV tables (compressible), float-like binary blobs (mostly incompressible) and
# archive-like blobs with repeated blocks.
set -euo pipefail

dir=${1:?usage: make-large-repo.sh DIR [SEED]}
seed=${2:-20260402}
base=${BENCH_BASE_IMAGE:-swift-r2d/test-base:bookworm}
small=${BENCH_SMALL_FILES:-19950}
large_bytes=${BENCH_LARGE_BYTES:-1200000000}
small_max=${BENCH_SMALL_MAX:-100000}
spec="v1 seed=$seed base=$base small=$small large=$large_bytes smallmax=$small_max"

if [[ -f $dir/.git/bench-spec && $(cat "$dir/.git/bench-spec") == "$spec" ]] &&
   [[ -z $(git -C "$dir" status --porcelain 2>/dev/null | head -1) ]] &&
   git -C "$dir" rev-parse -q --verify HEAD >/dev/null; then
  echo "make-large-repo: $dir already generated ($spec), HEAD $(git -C "$dir" rev-parse HEAD)" >&2
  exit 0
fi

rm -rf "$dir"
mkdir -p "$dir"

python3 - "$dir" "$seed" "$small" "$large_bytes" "$small_max" <<'PY'
import os, random, sys

root, seed, n_small, large_bytes, small_max = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
rng = random.Random(seed)

syll = ["ka", "lo", "mi", "ter", "an", "qu", "ri", "son", "el", "va", "dex", "po", "un", "sta", "gra", "fi", "ne", "op", "ul", "tor"]
words = sorted({"".join(rng.choice(syll) for _ in range(rng.randint(1, 4))) for _ in range(3000)})
english = ("the of and to in is that for it as with was on be by this are from or have an they which one "
           "you were all we when there can has more if will each about how up out them then she many some so "
           "these would other into two time like could no than first been its who now people my made over did "
           "down only way find use may water long little very after called just where most know get through back "
           "much before go good new write our used me man too any day same right look think also around another "
           "came come work three must because does part even place well such here take why things help put years "
           "different away again off went old number great tell men say small every found still between name should "
           "home big give air line set own under read last never us left end along while might next sound below saw "
           "something thought both few those always show large often together asked house don't world going want").split()

def w(): return rng.choice(words)
def sentence(n=None):
    n = n or rng.randint(6, 18)
    s = " ".join(rng.choice(english) if rng.random() < 0.8 else w() for _ in range(n))
    return s[0].upper() + s[1:] + "."

def py_line():
    k = rng.random()
    ind = "    " * rng.randint(0, 3)
    if k < 0.12: return f"def {w()}_{w()}({w()}, {w()}={rng.randint(0, 99)}):"
    if k < 0.20: return f"class {w().capitalize()}{w().capitalize()}({w().capitalize()}):"
    if k < 0.45: return f"{ind}{w()} = {w()}.{w()}({w()}, {rng.randint(0, 4096)})"
    if k < 0.58: return f"{ind}if {w()} is not None and {w()} > {rng.randint(0, 100)}:"
    if k < 0.70: return f"{ind}return {w()}_{w()} + {w()}"
    if k < 0.80: return f"{ind}# {sentence(rng.randint(4, 10))}"
    if k < 0.87: return f"from {w()}.{w()} import {w()}, {w()}"
    if k < 0.93: return ""
    return f'{ind}raise ValueError("{sentence(rng.randint(3, 8))}")'

def swift_line():
    k = rng.random()
    ind = "    " * rng.randint(0, 3)
    if k < 0.15: return f"{ind}func {w()}{w().capitalize()}(_ {w()}: {w().capitalize()}) throws -> {w().capitalize()} {{"
    if k < 0.40: return f"{ind}let {w()} = try {w()}.{w()}({w()}: {rng.randint(0, 512)})"
    if k < 0.55: return f"{ind}guard let {w()} else {{ throw {w().capitalize()}Error.{w()} }}"
    if k < 0.65: return f"{ind}/// {sentence(rng.randint(4, 10))}"
    if k < 0.80: return f"{ind}}}"
    return f"{ind}{w()}.append({w()}[{rng.randint(0, 64)}])"

def md_line():
    k = rng.random()
    if k < 0.08: return "#" * rng.randint(1, 3) + " " + sentence(rng.randint(2, 6))[:-1]
    if k < 0.20: return f"- `{w()}`: {sentence()}"
    if k < 0.25: return ""
    return " ".join(sentence() for _ in range(rng.randint(1, 3)))

def json_line():
    return f'  "{w()}_{w()}": {{"id": {rng.randint(0, 10**6)}, "name": "{w()}", "score": {rng.random():.6f}, "tags": ["{w()}", "{w()}"]}},'

def csv_line():
    return f"{rng.randint(0, 10**7)},{w()},{w()},{rng.random()*1000:.4f},{rng.gauss(0, 1):.6f},{rng.choice(['true','false'])},{rng.randint(1990, 2026)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"

pools = {kind: [make() for _ in range(40000)] for kind, make in
         (("py", py_line), ("swift", swift_line), ("md", md_line), ("json", json_line), ("csv", csv_line))}
ext_kind = [("py", "py"), ("py", "py"), ("py", "py"), ("swift", "swift"), ("md", "md"), ("txt", "md"),
            ("json", "json"), ("csv", "csv"), ("cfg", "md"), ("rst", "md")]

def text_of(kind, size, header):
    pool = pools[kind]
    out, n = [header], len(header)
    while n < size:
        start = rng.randrange(len(pool))
        chunk = pool[start:start + rng.randint(5, 60)]
        for line in chunk:
            out.append(line)
            n += len(line) + 1
    data = "\n".join(out).encode()[:size]
    return data + b"\n"

def write(rel, data):
    path = os.path.join(root, rel)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb") as f:
        f.write(data)

# Small files: ~20 per directory, two to four levels deep, log-uniform sizes 100 B .. small_max.
import math
dirs = []
for top in ("src", "lib", "docs", "tests", "examples", "notebooks", "config"):
    for a in range(rng.randint(6, 14)):
        for b in range(rng.randint(4, 12)):
            d = f"{top}/{w()}_{a:02d}/{w()}_{b:02d}"
            dirs.append(d)
            if rng.random() < 0.3:
                dirs.append(d + f"/{w()}")
small_total = 0
for i in range(n_small):
    d = dirs[i % len(dirs)] if i < len(dirs) else rng.choice(dirs)
    ext, kind = rng.choice(ext_kind)
    size = int(math.exp(rng.uniform(math.log(100), math.log(small_max))))
    rel = f"{d}/{w()}_{i:05d}.{ext}"
    write(rel, text_of(kind, size, f"# {rel} (generated for the swift-r2d bench, file {i})"))
    small_total += size + 1

# Large files: 1..50 MB each until large_bytes.
def csv_blob(size):
    parts, n = [b"id,name,group,value,z,flag,date\n"], 0
    while n < size:
        start = rng.randrange(len(pools["csv"]) - 2000)
        block = ("\n".join(pools["csv"][start:start + 2000]) + "\n").encode()
        parts.append(block)
        n += len(block)
    return b"".join(parts)[:size]

def weights_blob(size):
    # float32-like: random mantissas with a small set of exponent bytes, so it compresses only a little.
    out, n = [], 0
    exps = bytes([0x3c, 0x3d, 0x3e, 0xbc, 0xbd, 0xbe])
    while n < size:
        raw = bytearray(rng.randbytes(1 << 20))
        raw[3::4] = bytes(rng.choices(exps, k=len(raw[3::4])))
        out.append(bytes(raw))
        n += len(raw)
    return b"".join(out)[:size]

def archive_blob(size):
    # 64 KiB blocks, a third of them repeats of earlier ones (like bundled duplicates).
    blocks, out, n = [], [], 0
    while n < size:
        if blocks and rng.random() < 0.33:
            b = rng.choice(blocks)
        else:
            b = rng.randbytes(65536)
            blocks.append(b)
        out.append(b)
        n += len(b)
    return b"".join(out)[:size]

large_total, j = 0, 0
kinds = [("data", "csv", csv_blob), ("models", "bin", weights_blob), ("assets", "tar", archive_blob)]
while large_total < large_bytes:
    size = min(rng.randint(1, 50) * 1_000_000 + rng.randrange(1_000_000), max(large_bytes - large_total, 1_000_000))
    folder, ext, make = kinds[j % 3]
    write(f"{folder}/{w()}_{j:03d}.{ext}", make(size))
    large_total += size
    j += 1

print(f"make-large-repo: {n_small} small files ({small_total/1e6:.0f} MB), {j} large files ({large_total/1e6:.0f} MB)", file=sys.stderr)
PY

printf 'FROM %s\nCOPY . /srv/repo\n' "$base" > "$dir/Dockerfile"
printf '# Bench repository\n\nGenerated by bench/make-large-repo.sh (seed %s).\n' "$seed" > "$dir/README.md"

export GIT_AUTHOR_NAME=bench GIT_AUTHOR_EMAIL=bench@example.invalid GIT_AUTHOR_DATE='2026-01-01T00:00:00Z'
export GIT_COMMITTER_NAME=bench GIT_COMMITTER_EMAIL=bench@example.invalid GIT_COMMITTER_DATE='2026-01-01T00:00:00Z'
git -C "$dir" init -q -b main
# No background `git gc --auto` repacking 1 GB while the bench reads .git: objects stay loose.
git -C "$dir" config gc.auto 0
git -C "$dir" add -A
git -C "$dir" commit -q -m "Bench repository (seed $seed)"
echo "$spec" > "$dir/.git/bench-spec"
echo "make-large-repo: $dir at $(git -C "$dir" rev-parse HEAD), $(du -sh --exclude=.git "$dir" | cut -f1) work tree, $(du -sh "$dir/.git" | cut -f1) .git, $(git -C "$dir" ls-files | wc -l) files" >&2
