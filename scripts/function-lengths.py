#!/usr/bin/env python3
"""Lists the longest functions in Swift sources (from the line of `func`/`init` to its closing brace) and
fails when one is longer than --max lines. Braces inside string literals and comments are skipped; generated
files (Buildpacks/EmbeddedFiles.swift) are not under Sources/."""
import argparse, pathlib, re, sys

DECL = re.compile(r'^\s*(?:@[\w()]+\s+)*(?:(?:public|private|fileprivate|internal|package|static|class|override|mutating|nonisolated|final|convenience|required|@\w+)\s+)*(?:func\s+[^\s(<]+|init[?!]?)\s*[(<]')

def code_only(line, state):
    """The line without comments and string contents; `state` carries multi-line strings and block comments."""
    out, i = [], 0
    while i < len(line):
        if state['block']:
            end = line.find('*/', i)
            if end < 0: return ''.join(out)
            state['block'] = False; i = end + 2; continue
        if state['multi']:
            end = line.find('"""', i)
            if end < 0: return ''.join(out)
            state['multi'] = False; i = end + 3; continue
        if line.startswith('//', i): break
        if line.startswith('/*', i): state['block'] = True; i += 2; continue
        if line.startswith('"""', i): state['multi'] = True; i += 3; continue
        c = line[i]
        if c == '"':
            i += 1
            while i < len(line) and line[i] != '"':
                i += 2 if line[i] == '\\' else 1
            i += 1; continue
        out.append(c); i += 1
    return ''.join(out)

def functions(path):
    lines = path.read_text(encoding='utf-8').split('\n')
    state = {'block': False, 'multi': False}
    code = [code_only(l, state) for l in lines]
    for start, text in enumerate(code):
        if not DECL.match(text): continue
        depth, opened = 0, False
        for end in range(start, len(code)):
            for c in code[end]:
                if c == '{': depth += 1; opened = True
                elif c == '}': depth -= 1
            if opened and depth <= 0:
                yield (end - start + 1, f'{path}:{start + 1}', lines[start].strip()[:90])
                break
            # A protocol requirement has no body.
            if not opened and end > start and (DECL.match(code[end]) or code[end].strip() == '}'): break

def main():
    parser = argparse.ArgumentParser()
    parser.add_argument('roots', nargs='+')
    parser.add_argument('--max', type=int, default=60)
    parser.add_argument('--top', type=int, default=5)
    args = parser.parse_args()
    found = sorted((f for root in args.roots for p in sorted(pathlib.Path(root).rglob('*.swift')) for f in functions(p)), reverse=True)
    for length, where, text in found[:args.top]:
        print(f'{length:4d}  {where}  {text}')
    over = [f for f in found if f[0] > args.max]
    if over:
        print(f'{len(over)} function(s) longer than {args.max} lines:', file=sys.stderr)
        for length, where, text in over: print(f'  {length:4d}  {where}', file=sys.stderr)
        return 1
    return 0

if __name__ == '__main__':
    sys.exit(main())
