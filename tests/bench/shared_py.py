#!/usr/bin/env python3
"""Runs a script of ../shared/bench by path, with known upstream bugs patched.

Usage: shared_py.py SCRIPT [ARGS...]   (or `shared_py.py --version`)

../shared/bench/gen_corpus.py (read-only here) lists `semiannual` among its
review cycles but maps only `semi-annual` to a sentence, so any corpus with a
semi-annual document dies with KeyError. This wrapper adds the missing key
in memory and runs the script unchanged otherwise: the random stream, hence
the corpus, is what the script means to produce. Nothing is copied into the
repository. When upstream is fixed, the patch finds nothing and does nothing.
run_peers.sh takes it as its interpreter: PYTHON="python3 shared_py.py".
"""
import runpy
import sys

PATCHES = {
    "gen_corpus.py": [
        ('"semi-annual": "semi-annually",',
         '"semi-annual": "semi-annually", "semiannual": "semi-annually",'),
    ],
}


def main():
    if len(sys.argv) < 2 or sys.argv[1] == "--version":
        print(f"Python {sys.version.split()[0]} (via shared_py.py)")
        return
    script = sys.argv[1]
    name = script.rsplit("/", 1)[-1]
    patches = PATCHES.get(name)
    sys.argv = sys.argv[1:]
    if not patches:
        runpy.run_path(script, run_name="__main__")
        return
    src = open(script, encoding="utf-8").read()
    for old, new in patches:
        if old in src and new not in src:
            src = src.replace(old, new)
    sys.path.insert(0, script.rsplit("/", 1)[0] if "/" in script else ".")
    code = compile(src, script, "exec")
    exec(code, {"__name__": "__main__", "__file__": script})


if __name__ == "__main__":
    main()
