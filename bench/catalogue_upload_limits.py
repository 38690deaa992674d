"""Time and peak memory of parsing hostile catalogue uploads (issue 12).

Run: PYTHONPATH=. .venv/bin/python bench/catalogue_upload_limits.py

The last case is the worst file within every limit: it reaches full validation and yields one
message per repeated key.

Time is measured without tracing (tracemalloc slows pure-Python parsing ~20x); peak Python memory
in a second, traced pass. The shipped catalogue is the baseline of the same run.
"""

import os
import time
import tracemalloc

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
django.setup()

from assessments.catalogue import CatalogueError, default_catalogue_path, load_document  # noqa: E402


def alias_bomb(fan_out: int, depth: int) -> str:
    lines = ['key: bomb\nl0: &l0 "' + "x" * 64 + '"']
    for level in range(1, depth + 1):
        refs = ", ".join(f"*l{level - 1}" for _ in range(fan_out))
        lines.append(f"l{level}: &l{level} [{refs}]")
    return "\n".join(lines) + "\n"


def padded_bomb() -> str:
    """2 MB (the size limit) of one long scalar aliased just under the alias limit."""
    return "a: &a '" + "x" * (2 * 1024 * 1024 - 400) + "'\nb: [" + ", ".join(["*a"] * 99) + "]\n"


def repeated_catalogue(times: int) -> str:
    """The shipped catalogue with its sections repeated: within every limit (about 90,000 values,
    1.8 MB), so it reaches full validation, and every repeated key is an error of its own."""
    import yaml

    class Literal(yaml.SafeDumper):  # written out in full: no anchors for the repeated parts
        def ignore_aliases(self, data) -> bool:
            return True

    data = yaml.safe_load(default_catalogue_path().read_text(encoding="utf-8"))
    data["sections"] = data["sections"] * times
    return yaml.dump(data, Dumper=Literal, allow_unicode=True, sort_keys=False)


CASES = {
    "shipped catalogue (baseline)": default_catalogue_path().read_text(encoding="utf-8"),
    "alias bomb fan-out 10 depth 6": alias_bomb(10, 6),
    "alias bomb fan-out 10 depth 9": alias_bomb(10, 9),
    "2 MB scalar x 99 aliases": padded_bomb(),
    "[ x 50,000": "[" * 50_000 + "1" + "]" * 50_000,
    "{a: x 50,000": "{a: " * 50_000 + "1" + "}" * 50_000,
    "2 MB of flat keys": "".join(f"k{i}: v\n" for i in range(2 * 1024 * 1024 // 10)),
    "shipped catalogue x 10 (dup. keys)": repeated_catalogue(10),
}


def run(text: str) -> str:
    try:
        load_document(text)
        return "accepted"
    except CatalogueError as error:
        return f"refused ({len(error.messages)} messages): " + error.messages[0][:50]


baseline = None
for name, text in CASES.items():
    started = time.perf_counter()
    outcome = run(text)
    seconds = time.perf_counter() - started
    baseline = baseline or seconds
    tracemalloc.start()
    run(text)
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    print(
        f"{name:36} {len(text) / 1024:6.0f} KB {seconds * 1000:7.0f} ms "
        f"({seconds / baseline:5.2f}x) {peak / 2**20:5.1f} MiB  {outcome}"
    )
