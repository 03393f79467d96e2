"""The suite states its tolerances with NumPy, from the arithmetic (conftest.RTOL_SAME_FORMULA).

`pytest.approx` changed how it treats NumPy scalars and 0-d arrays between pytest releases (9.0
compares them as unequal, 9.2 raises a TypeError), so a test written with it can break when
pytest updates, without any change in nnbook. `np.testing.assert_allclose` with a stated `rtol`
does not depend on the test runner.
"""

from __future__ import annotations

import re

from conftest import ROOT


def test_no_pytest_approx_in_the_suite() -> None:
    found = [
        f"{path.relative_to(ROOT)}:{n}"
        for path in sorted((ROOT / "tests").glob("*.py"))
        if path.name != "test_tolerances.py"
        for n, line in enumerate(path.read_text().splitlines(), 1)
        if re.search(r"\bpytest\.approx\(", line)
    ]
    assert not found, "use np.testing.assert_allclose with a stated rtol:\n" + "\n".join(found)
