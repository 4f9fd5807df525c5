"""The ping app of the distroless experiment (examples/ping-app/run.sh).

TEACHING EXAMPLE - DELIBERATELY VULNERABLE. /ping passes the user's input to
a shell: `127.0.0.1; id` runs `id`. Never deploy this. /safe-ping shows the
fix: ping started from an argument vector, no shell involved.
The same file runs in the regular and in the distroless image; only the
platform under it differs.
"""

import os
import subprocess

from flask import Flask, request

app = Flask(__name__)


def result(run):
    try:
        r = run()
    except (OSError, subprocess.SubprocessError) as e:
        # Without /bin/sh, shell=True fails here: nothing the attacker sent ran.
        return {"error": "%s: %s" % (type(e).__name__, e)}, 500
    return {"exit_code": r.returncode, "stdout": r.stdout, "stderr": r.stderr}


@app.get("/ping")
def ping():
    host = request.args.get("host", "")
    # VULNERABLE ON PURPOSE: command injection through the shell.
    return result(lambda: subprocess.run("ping -c1 -W2 " + host, shell=True,
                                         capture_output=True, text=True, timeout=30))


@app.get("/safe-ping")
def safe_ping():
    host = request.args.get("host", "")
    if not host or host.startswith("-"):
        return {"error": "host must be a name or an address"}, 400
    return result(lambda: subprocess.run(["ping", "-c1", "-W2", "--", host],
                                         capture_output=True, text=True, timeout=30))


if __name__ == "__main__":
    app.run(host="0.0.0.0", port=int(os.environ.get("PORT", "8080")))
