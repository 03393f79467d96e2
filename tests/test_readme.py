"""The README's usage example runs and prints what the README says it prints."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

README = Path(__file__).resolve().parents[1] / "README.md"


def test_readme_python_example_prints_what_it_claims() -> None:
    blocks = re.findall(r"```python\n(.*?)```", README.read_text(), flags=re.S)
    assert blocks, "README.md has no python example"
    for code in blocks:
        # Each `print(...)  # expected` line states its output in a trailing comment.
        expected = [
            m.group(1).strip()
            for m in re.finditer(r"^print\(.*\)\s+#\s*(.+)$", code, flags=re.M)
        ]
        out = subprocess.run(
            [sys.executable, "-c", code], capture_output=True, text=True, check=True
        ).stdout.splitlines()
        assert [line.strip() for line in out] == expected
