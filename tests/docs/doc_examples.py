#!/usr/bin/env python3
"""The examples in README.md and docs/*.md are the binary's real output.

Every ```sh block holding one `build/ceiling ...` command that is followed by an output block
(or an inline `build/ceiling ...`: followed by one, as docs/ writes them) is run with the binary under test from the repository root (files it is asked to write, `-o FILE`,
go to a scratch directory instead), and every line of the shown output must appear, verbatim and
in the same order, among the lines the command prints. Lines the README abridges are skipped: blank lines, "..." and lines that
contain "..." (elided columns), and timings ("elapsed:"); wall-clock figures inside a line
("searched in 0.1 ms", "0.01 s on 2 threads") are masked on both sides. Exit 1 with each stale block named.

With --update, a stale block's shown lines are rewritten from the output instead: each line is
replaced by the next printed line of the same shape (its text with every number, the spacing and
the length of rules set aside) after the last line matched; abridged lines stay. A line with no such counterpart is left and
reported, for a person to edit.
"""
import argparse
import glob
import os
import re
import shlex
import subprocess
import sys
import tempfile

NUMBER = re.compile(r"[-+]?[0-9][0-9,.]*%?")


def shape(line: str) -> str:
    return " ".join(re.sub(r"-{2,}", "-", NUMBER.sub("#", line)).split())


def skipped(line: str) -> bool:
    return not line.strip() or "..." in line or line.startswith("elapsed:")


def missing_lines(shown: list, printed: list) -> list:
    """The shown lines (masked) that do not appear, in order, among the printed ones."""
    out, pos = [], 0
    for line in shown:
        if skipped(line):
            continue
        try:
            pos = printed.index(line, pos) + 1
        except ValueError:
            out.append(line)
    return out


def updated(shown: list, printed: list) -> tuple:
    """The shown lines rewritten from the printed ones, in order, and the lines left as they
    were. A stale line takes the next printed line of its shape after the last line matched."""
    masked_printed = [masked(p) for p in printed]
    out, left, pos = [], [], 0
    for line in shown:
        if skipped(line):
            out.append(line)
            continue
        try:
            pos = masked_printed.index(masked(line), pos) + 1
            out.append(line)
            continue
        except ValueError:
            pass
        match = next((i for i in range(pos, len(printed)) if shape(printed[i]) == shape(line)), None)
        if match is None:
            out.append(line)
            left.append(line)
        else:
            out.append(printed[match].rstrip())
            pos = match + 1
    return out, left


# Wall-clock phrases the binary prints, which vary from run to run (and under sanitizers).
CLOCK = (re.compile(r"searched in [0-9.]+ (?:ms|s)\b"), re.compile(r"[0-9.]+ s on \d+ threads?"))


def masked(line: str) -> str:
    for pattern in CLOCK:
        line = pattern.sub("<wall clock>", line)
    return line.rstrip()


BLOCKS = (re.compile(r"```sh\n(build/ceiling[^`]*?)```\n\n?```\n(.*?)```", re.S),
          re.compile(r"`(build/ceiling[^`]*)`[^\n`]*:\n\n```\n(.*?)```", re.S))


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--binary", required=True)
    ap.add_argument("--source", required=True, help="repository root")
    ap.add_argument("--update", action="store_true", help="rewrite stale blocks from the output")
    args = ap.parse_args()
    docs = ["README.md"] + sorted(os.path.relpath(p, args.source)
                                  for p in glob.glob(os.path.join(args.source, "docs", "*.md")))
    examples = []
    for doc in docs:
        text = open(os.path.join(args.source, doc), encoding="utf-8").read()
        for pattern in BLOCKS:
            for m in pattern.finditer(text):
                examples.append((doc, text.count("\n", 0, m.start()) + 2, m.group(1), m.group(2),
                                 m.start(2), m.end(2)))
    stale, checked, edits = [], 0, {}
    with tempfile.TemporaryDirectory() as scratch:
        for doc, line, command, output, start, end in examples:
            command = command.strip().replace("\\\n", " ")
            if "```" in command or (doc == "README.md" and "\n" in command):
                continue  # several commands: not one output to compare
            command = " ".join(command.split())  # docs/ wraps inline commands
            argv = [os.path.abspath(args.binary)] + shlex.split(command)[1:]
            for i in range(1, len(argv)):
                if argv[i - 1] in ("-o", "--output"):
                    argv[i] = os.path.join(scratch, os.path.basename(argv[i]))
            run = subprocess.run(argv, cwd=args.source, capture_output=True, text=True,
                                 timeout=300)
            printed = [masked(l) for l in (run.stdout + run.stderr).splitlines()]
            shown = [masked(l) for l in output.splitlines()]
            missing = missing_lines(shown, printed)
            checked += 1
            if missing and args.update:
                lines, left = updated(output.splitlines(), (run.stdout + run.stderr).splitlines())
                edits.setdefault(doc, []).append((start, end, "\n".join(lines) + "\n"))
                if left:
                    stale.append(f"{doc}:{line}: `{command}`: {len(left)} lines have no "
                                 f"counterpart in the output, first: {left[0]!r}")
                continue
            if missing:
                stale.append(f"{doc}:{line}: `{command}`: {len(missing)} of {len(shown)} "
                             f"lines are not in its output (exit {run.returncode}), first: "
                             f"{missing[0]!r}")
    for doc, changes in edits.items():
        path = os.path.join(args.source, doc)
        text = open(path, encoding="utf-8").read()
        for start, end, new in sorted(changes, reverse=True):
            text = text[:start] + new + text[end:]
        open(path, "w", encoding="utf-8").write(text)
        print(f"updated {len(changes)} example(s) in {doc}")
    for s in stale:
        print(s, file=sys.stderr)
    print(f"{checked} examples checked in {', '.join(docs)}; {len(stale)} stale")
    return 1 if stale or checked == 0 else 0


if __name__ == "__main__":
    sys.exit(main())
