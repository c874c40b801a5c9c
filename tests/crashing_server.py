"""A stand-in for the local model server that ends the way a miscompiled llama.cpp does.

    python tests/crashing_server.py --port PORT --mode MODE --pid-file FILE

MODE: ``on-answer`` serves ``/v1/models`` and dies of SIGSEGV on the first completion (a
llama.cpp built for another CPU); ``at-start`` dies of SIGSEGV at once; ``never-ready`` never
answers. Used through ``ASSISTANT_LOCAL_SERVER_COMMAND`` by tests/test_local_server.py.
"""

import argparse
import json
import os
import signal
import time
from http.server import BaseHTTPRequestHandler, HTTPServer


class Handler(BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def do_GET(self):  # noqa: N802
        body = json.dumps({"object": "list", "data": [{"id": "local", "object": "model"}]}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_POST(self):  # noqa: N802
        print("completion requested: crashing", flush=True)
        os.kill(os.getpid(), signal.SIGSEGV)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--mode", choices=["on-answer", "at-start", "never-ready"], required=True)
    ap.add_argument("--pid-file", required=True)
    args = ap.parse_args()
    with open(args.pid_file, "w") as fh:
        fh.write(str(os.getpid()))
    print(f"fake local server, mode {args.mode}", flush=True)
    if args.mode == "at-start":
        os.kill(os.getpid(), signal.SIGSEGV)
    if args.mode == "never-ready":
        while True:
            time.sleep(1)
    HTTPServer(("127.0.0.1", args.port), Handler).serve_forever()


if __name__ == "__main__":
    main()
