#!/usr/bin/env python3
"""Checks every relative Markdown link (and its #anchor, GitHub-style) in the given files.

Usage, from the repository root: python3 docs/check-links.py $(git ls-files '*.md')
"""
import os, re, sys

def slug(h):
    h = h.strip().lower()
    h = re.sub(r'[^\w\- ]', '', h)   # GitHub drops punctuation (keeps letters, digits, _, -, space)
    return h.replace(' ', '-')

def anchors(path):
    out, fence = set(), False
    for line in open(path, encoding='utf-8'):
        if line.startswith('```'):
            fence = not fence
        if not fence and line.startswith('#'):
            out.add(slug(line.lstrip('#')))
    return out

bad = 0
for f in sys.argv[1:]:
    text, fence = [], False
    for line in open(f, encoding='utf-8'):
        if line.startswith('```'):
            fence = not fence; continue
        if not fence:
            text.append(line)
    for target in re.findall(r'\]\(([^)\s]+)\)', ''.join(text)):
        if re.match(r'[a-z]+:', target):
            continue
        path, _, anchor = target.partition('#')
        full = os.path.normpath(os.path.join(os.path.dirname(f), path)) if path else f
        if not os.path.exists(full):
            print(f"BROKEN {f}: {target}"); bad += 1
            continue
        if anchor and full.endswith('.md') and anchor not in anchors(full):
            print(f"BROKEN ANCHOR {f}: {target}"); bad += 1
print(f"{bad} broken")
sys.exit(1 if bad else 0)
