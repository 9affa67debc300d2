"""bandit finds no unreviewed medium or high issue in the code.

A reviewed finding carries `# nosec BXXX` with its reason (on the same line or in the comment
just above), so a reader sees why the code is safe.
"""

import json
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
NOSEC = re.compile(r"#\s*nosec\b(?P<rest>.*)$")


def test_bandit_reports_no_medium_or_high_issue():
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "bandit",
            "-q",
            "-c",
            "pyproject.toml",
            "-r",
            "tribune",
            "-f",
            "json",
            "--severity-level",
            "medium",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    report = json.loads(result.stdout)
    assert report["errors"] == []
    findings = [
        f"{r['filename']}:{r['line_number']} {r['test_id']} {r['issue_text']}"
        for r in report["results"]
    ]
    assert findings == [], "\n".join(findings)


def test_every_nosec_names_the_check_and_says_why():
    unexplained = []
    for path in sorted((ROOT / "tribune").rglob("*.py")):
        lines = path.read_text(encoding="utf-8").splitlines()
        for number, line in enumerate(lines, 1):
            match = NOSEC.search(line)
            if not match:
                continue
            rest = match.group("rest")
            names_check = re.match(r"\s*B\d{3}", rest)
            reason_here = re.sub(r"^[\s,B\d]*", "", rest).strip(" -:()")
            reason_above = number > 1 and lines[number - 2].strip().startswith("#")
            if not names_check or not (reason_here or reason_above):
                unexplained.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()}")
    assert unexplained == [], "\n".join(unexplained)
