"""Shared by every test. When MOCHA_TOTALS_FILE is set (scripts/test.sh), the run's totals are
appended to it in the mocha runs' format, so `npm test` ends with one "N passed, N failed" line."""

from __future__ import annotations

import json
import os

import pytest

_totals = {"passes": 0, "failures": 0, "pending": 0}


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    if report.when == "call" or (report.when == "setup" and report.outcome != "passed"):
        if report.outcome == "passed":
            _totals["passes"] += 1
        elif report.outcome == "failed":
            _totals["failures"] += 1
        else:
            _totals["pending"] += 1
    elif report.when == "teardown" and report.outcome == "failed":
        _totals["failures"] += 1


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    path = os.environ.get("MOCHA_TOTALS_FILE")
    if path:
        if exitstatus not in (0, 1) and _totals["failures"] == 0:
            _totals["failures"] = 1  # a run that could not run its tests (collection error, …)
        with open(path, "a") as totals:
            totals.write(json.dumps(_totals) + "\n")
