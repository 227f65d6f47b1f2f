"""Import a file as ``abm import`` does, or preview it as the upload page does, and print
the outcome and the seconds it took as one JSON line.

The hostile-file suite runs this in a child process and reads the peak resident memory
it prints: the high-water mark of this process's own memory (``VmHWM``), which unlike
``ru_maxrss`` does not count what the parent held when it started the child. The
database and Redis come from ``ABM_DATABASE_URL`` and ``ABM_REDIS_URL``.

Usage: ``python -m tests.security.probe_import import|preview KIND FILE``
"""

from __future__ import annotations

import json
import sys
import time


def main() -> None:
    mode, kind, path = sys.argv[1:4]
    from abm.app import create_app

    app = create_app()
    with app.app_context():
        start, cpu_start = time.perf_counter(), time.process_time()
        if mode == "import":
            from abm.cli import cli

            result = app.test_cli_runner().invoke(cli, ["import", kind, path, "--format", "json"])
            outcome = {"exit_code": result.exit_code, "stdout": result.stdout[-3000:],
                       "stderr": result.stderr[-3000:]}
        else:
            from abm.imports.preview import preview_file
            from abm.imports.results import ImportFileError

            try:
                outcome = {"rows": len(preview_file(path, kind).rows)}
            except ImportFileError as exc:
                outcome = {"refused": str(exc)}
        outcome["seconds"] = round(time.perf_counter() - start, 2)
        outcome["cpu_seconds"] = round(time.process_time() - cpu_start, 2)
    outcome["peak_rss_mb"] = round(peak_rss_kb() / 1024, 1)
    print(json.dumps(outcome, ensure_ascii=False))


def peak_rss_kb() -> int:
    """The peak resident memory of this process, in KiB."""
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except OSError:
        pass
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux


if __name__ == "__main__":
    main()
