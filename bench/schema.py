"""The larger schemathesis run: the field API against its OpenAPI document, live.

    .venv/bin/python bench/schema.py [--examples 100] [--days 14 --per-day 40]
        [--database-url postgres://postgres@127.0.0.1:5432/civicloop_schema]
        [--stateful] [--workers 2] [--seed 1]

1. Uses DATABASE_URL (or --database-url; default: a SQLite file under
   var/bench-schema/), migrates it and builds the Erqi demo with a short
   synthetic history (``manage.py demo --days D --per-day N``) unless it holds
   one already.
2. Issues a token for the demo's ``administrator01`` (every role's actions).
3. Starts gunicorn serving civicloop.wsgi on 127.0.0.1 (the process it
   started is stopped by its id at the end).
4. Runs ``st run`` with every check (``--checks all``) over every operation of
   /api/openapi.json: the examples, coverage and fuzzing phases (and the
   stateful phase with --stateful), --examples per operation and phase, a
   fixed seed. Schema-valid requests that operations listed in
   civicloop/api/conformance.py refuse for their data (unknown codes, points
   outside the district, photos that are not photos) may get 400; every other
   answer is held to the document.
5. Prints the figures: operations, requests, failures per check, time; the
   JSON report is kept under var/bench-schema/ (see docs/api.md).

Exit status 1 when schemathesis found failures.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
VAR = ROOT / "var" / "bench-schema"
PYTHON = sys.executable
POSITIVE_STATUSES = ["2xx", "3xx", "401", "403", "404", "409", "429", "5xx"]


def manage(env, *args, capture=False) -> str:
    result = subprocess.run([PYTHON, "manage.py", *args], cwd=ROOT, env=env, check=True,
                            capture_output=capture, text=True)  # fmt: skip
    return result.stdout if capture else ""


def config_file() -> Path:
    """schemathesis.toml: 400 allowed for schema-valid data only where conformance.py says."""
    from civicloop.api.conformance import SEMANTIC_400

    lines = ["# Written by bench/schema.py from civicloop/api/conformance.py.", ""]
    for label, reason in sorted(SEMANTIC_400.items()):
        lines += [
            f"# {reason}",
            "[[operations]]",
            f"include-name = {json.dumps(label)}",
            "checks.positive_data_acceptance.expected-statuses = "
            + json.dumps([*POSITIVE_STATUSES, "400"]),
            "",
        ]
    path = VAR / "schemathesis.toml"
    path.write_text("\n".join(lines))
    return path


def wait_for(url: str, seconds: float = 180) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=5):
                return
        except urllib.error.HTTPError:
            return  # it answers (healthz may say 503 without the worker's heartbeat)
        except OSError:
            time.sleep(0.5)
    sys.exit(f"the server did not answer {url} within {seconds:.0f} s")


def figures(report: Path) -> dict:
    """Requests, statuses, check runs and failures by check from the NDJSON events."""
    requests, operations, statuses = 0, set(), Counter()
    runs, failures = Counter(), Counter()
    for line in report.read_text().splitlines():
        event = json.loads(line)
        body = event.get("ScenarioFinished")
        if not body:
            continue
        recorder = body.get("recorder", {})
        interactions = recorder.get("interactions", {})
        if interactions:
            operations.add(recorder.get("label"))
        requests += len(interactions)
        for interaction in interactions.values():
            statuses[(interaction.get("response") or {}).get("status_code")] += 1
        for checks in recorder.get("checks", {}).values():
            for check in checks:
                runs[check["name"]] += 1
                if check.get("status") == "failure":
                    failures[check["name"]] += 1
    return {"requests": requests, "operations": len(operations), "statuses": statuses,
            "runs": runs, "failures": failures}  # fmt: skip


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL", ""))
    parser.add_argument("--examples", type=int, default=100)
    parser.add_argument("--days", type=int, default=14)
    parser.add_argument("--per-day", type=int, default=40)
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers")
    parser.add_argument("--st-workers", type=int, default=2, help="schemathesis workers")
    parser.add_argument("--port", type=int, default=8719)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--stateful", action="store_true")
    args = parser.parse_args()

    VAR.mkdir(parents=True, exist_ok=True)
    env = {**os.environ, "CIVICLOOP_VAR_DIR": str(VAR), "DEBUG": "1",
           # the run is one client hammering one address
           "API_TOKEN_RATE_LIMIT": "100000/m", "SECURE_SSL_REDIRECT": "0"}  # fmt: skip
    if args.database_url:
        env["DATABASE_URL"] = args.database_url
    manage(env, "migrate", "--noinput", "-v", "0")
    manage(env, "demo", "--days", str(args.days), "--per-day", str(args.per_day), capture=True)
    key = manage(env, "shell", "-c", (
        "from django.contrib.auth import get_user_model\n"
        "from civicloop.api.actions import issue_token\n"
        "print(issue_token(get_user_model().objects.get(username='administrator01'), "
        "'bench/schema.py')[1])"
    ), capture=True).strip().splitlines()[-1]  # fmt: skip

    base = f"http://127.0.0.1:{args.port}"
    with open(VAR / "gunicorn.log", "w") as log:
        server = subprocess.Popen(
            [PYTHON, "-m", "gunicorn", "civicloop.wsgi", "-b", f"127.0.0.1:{args.port}",
             "-w", str(args.workers), "--timeout", "120", "--log-level", "warning"],
            cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=log,
        )  # fmt: skip
        try:
            wait_for(f"{base}/healthz")
            phases = "examples,coverage,fuzzing" + (",stateful" if args.stateful else "")
            report = VAR / "events.ndjson"
            started = time.monotonic()
            run = subprocess.run(
                [str(Path(PYTHON).parent / "st"), "--config-file", str(config_file()),
                 "--no-color", "run", f"{base}/api/openapi.json",
                 "-H", f"Authorization: Bearer {key}", "--checks", "all", "--phases", phases,
                 "-n", str(args.examples), "--seed", str(args.seed), "-w", str(args.st_workers),
                 "--report", "ndjson", "--report-ndjson-path", str(report)],
                cwd=VAR, env=env, capture_output=True, text=True,
            )  # fmt: skip
            seconds = time.monotonic() - started
        finally:
            server.terminate()
            server.wait(timeout=30)
    (VAR / "st.log").write_text(run.stdout + run.stderr)
    summary = run.stdout[run.stdout.rfind("SUMMARY") :] if "SUMMARY" in run.stdout else run.stdout
    print(summary.strip()[-4000:])
    found = figures(report) if report.exists() else {}
    print()
    print(f"examples per operation and phase: {args.examples}; phases: {phases}; "
          f"seed {args.seed}; time {seconds:.0f} s")  # fmt: skip
    if found:
        print(f"operations with requests: {found['operations']}; requests: {found['requests']}")
        print("statuses: " + ", ".join(f"{k}: {v}" for k, v in sorted(found["statuses"].items(),
                                                                       key=str)))  # fmt: skip
        for check, count in sorted(found["runs"].items()):
            print(f"  {check}: {count} checked, {found['failures'][check]} failed")
    print(f"full output: {VAR / 'st.log'}; events: {report}")
    return run.returncode


if __name__ == "__main__":
    sys.exit(main())
