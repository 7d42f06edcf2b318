"""A Telegram Bot API stand-in on 127.0.0.1: records every call, serves files.

No test talks to the real Telegram; the bot is pointed here by
TELEGRAM_API_URL.
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass, field
from email.parser import BytesParser
from email.policy import HTTP
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass
class Call:
    method: str
    params: dict[str, Any]


@dataclass
class Upload:
    """A file a multipart call carried."""

    field: str
    name: str
    content_type: str
    content: bytes


# The calls that send a new message to a chat, and where their file goes.
UPLOADS = {"sendDocument": "document", "sendPhoto": "photo"}
SENDS = {"sendMessage", *UPLOADS}


@dataclass
class FakeBotApi:
    token: str
    calls: list[Call] = field(default_factory=list)
    # file_id -> bytes the bot may fetch with getFile and download.
    files: dict[str, bytes] = field(default_factory=dict)
    # While set, every request is answered with this HTTP status (an outage).
    fail_with: int | None = None
    # Chats that "blocked the bot": messages and files to them are refused for good.
    blocked: set[int] = field(default_factory=set)
    # While set, sendPhoto is refused as Telegram refuses some pictures.
    refuse_photos: bool = False
    url: str = ""
    _next_message_id: int = 500
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def sent(self, chat_id: int | None = None) -> list[dict[str, Any]]:
        """The sendMessage calls, oldest first, with the message_id each got."""
        return [
            call.params
            for call in self.calls
            if call.method == "sendMessage"
            and (chat_id is None or call.params.get("chat_id") == chat_id)
        ]

    def uploads(self, chat_id: int | None = None) -> list[tuple[str, Upload]]:
        """(method, file) of each sendDocument and sendPhoto that went through."""
        return [
            (call.method, call.params["upload"])
            for call in self.calls
            if call.method in UPLOADS
            and "message_id" in call.params
            and (chat_id is None or call.params.get("chat_id") == chat_id)
        ]

    def edits(self, chat_id: int | None = None) -> list[dict[str, Any]]:
        return [
            call.params
            for call in self.calls
            if call.method == "editMessageText"
            and (chat_id is None or call.params.get("chat_id") == chat_id)
        ]

    def texts(self, chat_id: int | None = None) -> list[str]:
        return [params["text"] for params in self.sent(chat_id)]

    def last(self, chat_id: int | None = None) -> dict[str, Any]:
        return self.sent(chat_id)[-1]

    def methods(self) -> list[str]:
        return [call.method for call in self.calls]

    def answer(self, method: str, params: dict[str, Any]) -> tuple[int, dict]:
        with self._lock:
            self.calls.append(Call(method, params))
            if self.fail_with is not None:
                return self.fail_with, {"ok": False, "description": "Bad Gateway"}
            if method in SENDS:
                if params.get("chat_id") in self.blocked:
                    return 403, {
                        "ok": False,
                        "error_code": 403,
                        "description": "Forbidden: bot was blocked by the user",
                    }
                if method in UPLOADS:
                    upload = params.get("upload")
                    if upload is None or upload.field != UPLOADS[method]:
                        return 400, {
                            "ok": False,
                            "error_code": 400,
                            "description": "Bad Request: there is no file in the request",
                        }
                    if method == "sendPhoto" and self.refuse_photos:
                        return 400, {
                            "ok": False,
                            "error_code": 400,
                            "description": "Bad Request: PHOTO_INVALID_DIMENSIONS",
                        }
                self._next_message_id += 1
                params["message_id"] = self._next_message_id
                return 200, {
                    "ok": True,
                    "result": {
                        "message_id": self._next_message_id,
                        "chat": {"id": params.get("chat_id"), "type": "private"},
                        "date": 0,
                        "text": params.get("text", ""),
                    },
                }
            if method == "editMessageText":
                return 200, {
                    "ok": True,
                    "result": {
                        "message_id": params.get("message_id"),
                        "chat": {"id": params.get("chat_id"), "type": "private"},
                        "date": 0,
                        "text": params.get("text", ""),
                    },
                }
            if method == "getFile":
                file_id = params.get("file_id", "")
                if file_id not in self.files:
                    return 400, {
                        "ok": False,
                        "error_code": 400,
                        "description": "Bad Request: invalid file_id",
                    }
                return 200, {
                    "ok": True,
                    "result": {
                        "file_id": file_id,
                        "file_unique_id": f"u-{file_id}",
                        "file_size": len(self.files[file_id]),
                        "file_path": f"documents/{file_id}",
                    },
                }
            if method in {"answerCallbackQuery", "setWebhook", "setMyCommands"}:
                return 200, {"ok": True, "result": True}
            return 404, {"ok": False, "error_code": 404, "description": "Not Found"}

    def file(self, path: str) -> bytes | None:
        with self._lock:
            self.calls.append(Call("download", {"path": path}))
            if self.fail_with is not None:
                return None
            file_id = path.removeprefix("documents/")
            return self.files.get(file_id)


def _form(content_type: str, raw: bytes) -> dict[str, Any]:
    """A multipart/form-data body as the Bot API reads it: fields as text
    (chat_id a number), the file as `upload`."""
    form = BytesParser(policy=HTTP).parsebytes(
        f"Content-Type: {content_type}\r\n\r\n".encode() + raw
    )
    params: dict[str, Any] = {}
    for part in form.iter_parts():
        name = part.get_param("name", header="content-disposition")
        content = part.get_payload(decode=True)
        if part.get_filename() is not None:
            params["upload"] = Upload(
                name, part.get_filename(), part.get_content_type(), content
            )
        else:
            params[name] = content.decode()
    if "chat_id" in params:
        params["chat_id"] = int(params["chat_id"])
    return params


def serve(fake: FakeBotApi) -> ThreadingHTTPServer:
    """Start the server in a thread; the caller shuts it down."""

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: object) -> None:
            pass

        def _reply(self, status: int, body: bytes, content_type: str) -> None:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def do_POST(self) -> None:
            prefix = f"/bot{fake.token}/"
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length)
            if not self.path.startswith(prefix):
                self._reply(
                    404, b'{"ok":false,"description":"Not Found"}', "application/json"
                )
                return
            content_type = self.headers.get("Content-Type", "")
            params = (
                _form(content_type, raw)
                if content_type.startswith("multipart/form-data")
                else json.loads(raw or b"{}")
            )
            status, answer = fake.answer(self.path.removeprefix(prefix), params)
            self._reply(status, json.dumps(answer).encode(), "application/json")

        def do_GET(self) -> None:
            prefix = f"/file/bot{fake.token}/"
            content = (
                fake.file(self.path.removeprefix(prefix))
                if self.path.startswith(prefix)
                else None
            )
            if content is None:
                status = fake.fail_with or 404
                self._reply(status, b"", "text/plain")
                return
            self._reply(200, content, "application/octet-stream")

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    fake.url = f"http://127.0.0.1:{server.server_address[1]}"
    threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
    ).start()
    return server
