"""Print the gradient-check table: max relative error per (depth, hidden, output, loss).

Run: ``python tests/gradcheck_table.py`` (Markdown table on stdout, float64, eps = 1e-6).
"""

from __future__ import annotations

from nnbook.gradcheck import format_table, gradient_check_table

if __name__ == "__main__":
    rows = gradient_check_table()
    print(format_table(rows))
    worst = max(rows, key=lambda r: r["max_error"])
    print(f"\n{len(rows)} combinations; worst {worst['max_error']:.2e} "
          f"(depth {worst['depth']}, {worst['hidden']} / {worst['output']} + {worst['loss']})")
