"""The typed TypeScript client in clients/typescript/ matches today's schema and compiles under --strict.

Regenerates the types from `manage.py spectacular` with the pinned openapi-typescript, fails when the
committed src/schema.d.ts differs (run `make client` and commit), then compiles the wrapper and
examples/usage.ts (register, log in by code with the MFA branch, refresh, a bill with only its required
fields, an error narrowed by its code) with `tsc --strict`.
"""

import difflib
import json
import shlex
import subprocess
import sys

from tests.node import CLIENT_DIR, node_bin, npm_ci, require_npm, run
from tests.support import ROOT, venv_env


def dump_schema(path) -> None:
    command = [sys.executable, "manage.py", "spectacular", "--format", "openapi-json", "--file", str(path)]
    done = subprocess.run(
        command, cwd=ROOT, env=venv_env(), capture_output=True, check=False, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr[-4000:]


def generate_command(schema, output) -> list[str]:
    """package.json's `generate` script (the one `make client` runs), reading `schema`, writing `output`."""
    script = json.loads((CLIENT_DIR / "package.json").read_text())["scripts"]["generate"]
    argv = shlex.split(script)
    argv[0] = node_bin(CLIENT_DIR, argv[0])
    argv[argv.index("../../var/openapi.json")] = str(schema)
    argv[argv.index("--output") + 1] = str(output)
    return argv


def test_committed_client_types_match_the_schema_and_the_usage_file_compiles_strictly(tmp_path):
    require_npm()
    npm_ci(CLIENT_DIR)
    schema = tmp_path / "openapi.json"
    dump_schema(schema)
    generated = tmp_path / "schema.d.ts"
    run(generate_command(schema, generated), cwd=CLIENT_DIR)
    committed = CLIENT_DIR / "src" / "schema.d.ts"
    diff = list(
        difflib.unified_diff(
            committed.read_text().splitlines(),
            generated.read_text().splitlines(),
            "committed src/schema.d.ts",
            "generated from today's schema",
            lineterm="",
        )
    )
    assert not diff, "the typed client is stale: run `make client` and commit.\n" + "\n".join(diff[:80])

    run([node_bin(CLIENT_DIR, "tsc"), "--strict", "--noEmit", "-p", "tsconfig.json"], cwd=CLIENT_DIR)
