"""The examples in docs/networkx.md run and print what the page says."""

from __future__ import annotations

import contextlib
import doctest
import io
import re
from pathlib import Path

DOC = Path(__file__).resolve().parent.parent / "docs" / "networkx.md"


def test_the_networkx_page_examples_give_the_output_shown() -> None:
    text = DOC.read_text(encoding="utf-8")
    namespace: dict[str, object] = {}
    parser = doctest.DocTestParser()
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS)
    blocks = re.findall(r"```python\n(.*?)```(?:\n\n```\n(.*?)```)?", text, re.S)
    assert len(blocks) >= 5
    for number, (code, shown) in enumerate(blocks):
        if code.startswith(">>>"):
            test = parser.get_doctest(code, namespace, f"block {number}", str(DOC), 0)
            result = runner.run(test, clear_globs=False)
            namespace.update(test.globs)
            assert result.failed == 0, f"docs/networkx.md block {number} fails"
        elif shown:
            printed = io.StringIO()
            with contextlib.redirect_stdout(printed):
                exec(code, namespace)  # noqa: S102 - the page's own example
            assert printed.getvalue() == shown, f"docs/networkx.md block {number} prints something else"


def test_the_readme_python_example_gives_the_output_shown() -> None:
    text = (DOC.parent.parent / "README.md").read_text(encoding="utf-8")
    (block,) = [b for b in re.findall(r"```python\n(.*?)```", text, re.S) if b.startswith(">>>")]
    test = doctest.DocTestParser().get_doctest(block, {}, "README", "README.md", 0)
    assert doctest.DocTestRunner().run(test).failed == 0
