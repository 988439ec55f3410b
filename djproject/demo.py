"""``make demo``: serve the admin and run the bot side by side, in one terminal.

The admin runs as a child process; the bot runs in the foreground (long polling with a
``BOT_TOKEN``, else the local terminal chat), so Ctrl+C stops both.
"""

import argparse
import importlib.util
import os
import subprocess
import sys

LOG_FILE = "demo-admin.log"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", default="8000")
    args = parser.parse_args()

    # The admin's request log would interleave with the terminal chat: it goes to a file.
    log = open(LOG_FILE, "ab")  # noqa: SIM115 - open for the child's whole life
    admin = subprocess.Popen(
        [sys.executable, "manage.py", "runserver", "--noreload", f"{args.host}:{args.port}"],
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    print(f"Admin: http://{args.host}:{args.port}/admin/  (login printed above; its log: {LOG_FILE})")
    try:
        if importlib.util.find_spec("bot") is None:
            return admin.wait()
        bot_args = [] if os.environ.get("BOT_TOKEN") else ["--local"]
        if bot_args:
            print("No BOT_TOKEN: the bot runs here as a terminal chat.")
        return subprocess.call([sys.executable, "-m", "bot", *bot_args])
    except KeyboardInterrupt:
        return 0
    finally:
        admin.terminate()
        admin.wait(timeout=10)
        log.close()


if __name__ == "__main__":
    raise SystemExit(main())
