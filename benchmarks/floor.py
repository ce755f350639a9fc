"""The floor of the benchmarks: the least a YAML tool must do to read a corpus.

    python benchmarks/floor.py ROOT

One Python process parsing every `.yaml` file under ROOT with PyYAML's C loader
(`yaml.load(f, Loader=yaml.CSafeLoader)`), the garbage collector off. benchmarks/run.py times it
(interpreter start-up included, as for every command) and gives every other figure as a ratio to it.
"""

from __future__ import annotations

import gc
import os
import sys

import yaml


def main() -> None:
    gc.disable()
    count = 0
    for folder, dirs, names in os.walk(sys.argv[1]):
        dirs.sort()
        for name in sorted(names):
            if name.endswith(".yaml"):
                with open(os.path.join(folder, name), "rb") as f:
                    yaml.load(f, Loader=yaml.CSafeLoader)
                count += 1
    print(f"parsed {count} files")


if __name__ == "__main__":
    main()
