"""planner.batch is domain code: importing it loads no web framework."""

from __future__ import annotations

import subprocess
import sys

from batch_helpers import subprocess_env


def test_planner_batch_imports_no_web_framework() -> None:
    code = (
        "import sys, planner.batch; "
        "bad = [m for m in sys.modules if m.split('.')[0] in ('fastapi', 'starlette', 'uvicorn', 'api')]; "
        "print(bad); sys.exit(1 if bad else 0)"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], env=subprocess_env(), capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stdout + done.stderr
