"""A small OpenAI-compatible chat server for tests, scripted per test.

It speaks the real protocol (JSON completions and SSE streaming, usage, error bodies), so the
real ``openai`` client and ``ChatOpenAI`` talk to it over HTTP on 127.0.0.1. Each request pops
the next scripted reply; every request body is recorded for assertions.
"""

from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class Reply:
    content: str = ""
    status: int = 200
    error_code: str | None = None
    error_message: str = ""
    delay: float = 0.0
    usage: dict | None = None
    headers: dict = field(default_factory=dict)
    chunk_size: int = 12
    chunk_delay: float = 0.0  # seconds between streamed chunks
    finish_reason: str = "stop"  # "length": the reply was cut off by max_tokens (non-streamed replies)


class FakeOpenAI:
    def __init__(self) -> None:
        self.replies: list[Reply] = []
        self.requests: list[dict] = []
        self.default: Reply | None = None
        handler = self._handler()
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/v1"

    def script(self, *replies: Reply) -> None:
        self.replies.extend(replies)

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def _next(self) -> Reply:
        if self.replies:
            return self.replies.pop(0)
        if self.default:
            return self.default
        return Reply(status=500, error_message="no reply scripted")

    def _handler(self):
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):  # quiet
                pass

            def _send_json(self, status: int, obj: dict, headers: dict | None = None) -> None:
                body = json.dumps(obj).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                for k, v in (headers or {}).items():
                    self.send_header(k, v)
                self.end_headers()
                self.wfile.write(body)

            def do_GET(self):
                self._send_json(200, {"object": "list", "data": [{"id": "fake-model", "object": "model"}]})

            def do_POST(self):
                length = int(self.headers.get("Content-Length", 0))
                req = json.loads(self.rfile.read(length) or b"{}")
                req["_path"] = self.path
                req["_auth"] = self.headers.get("Authorization")
                fake.requests.append(req)
                reply = fake._next()
                if reply.delay:
                    time.sleep(reply.delay)
                if reply.status != 200:
                    err = {"error": {"message": reply.error_message or f"error {reply.status}",
                                     "type": "invalid_request_error", "code": reply.error_code}}
                    self._send_json(reply.status, err, {"retry-after-ms": "10", **reply.headers})
                    return
                usage = reply.usage or {"prompt_tokens": 100, "completion_tokens": 20, "total_tokens": 120}
                model = req.get("model", "fake-model")
                if req.get("stream"):
                    self.send_response(200)
                    self.send_header("Content-Type", "text/event-stream")
                    self.send_header("Cache-Control", "no-cache")
                    self.send_header("Connection", "close")
                    self.end_headers()

                    def event(obj):
                        try:
                            self.wfile.write(f"data: {json.dumps(obj)}\n\n".encode())
                            self.wfile.flush()
                        except OSError:
                            pass

                    base = {"id": "chatcmpl-fake", "object": "chat.completion.chunk", "created": 0, "model": model}
                    event({**base, "choices": [{"index": 0, "delta": {"role": "assistant", "content": ""},
                                                "finish_reason": None}]})
                    text = reply.content
                    for i in range(0, len(text), reply.chunk_size):
                        event({**base, "choices": [{"index": 0, "delta": {"content": text[i:i + reply.chunk_size]},
                                                    "finish_reason": None}]})
                        if reply.chunk_delay:
                            time.sleep(reply.chunk_delay)
                    event({**base, "choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}]})
                    if (req.get("stream_options") or {}).get("include_usage"):
                        event({**base, "choices": [], "usage": usage})
                    try:
                        self.wfile.write(b"data: [DONE]\n\n")
                    except OSError:  # the client hung up (a cancelled answer)
                        return
                    self.wfile.flush()
                    self.close_connection = True
                    return
                self._send_json(200, {
                    "id": "chatcmpl-fake", "object": "chat.completion", "created": 0, "model": model,
                    "choices": [{"index": 0, "message": {"role": "assistant", "content": reply.content},
                                 "finish_reason": reply.finish_reason}],
                    "usage": usage,
                })

        return Handler
