"""A small fake GOV.UK Notify on 127.0.0.1, so the real `notifications-python-client` runs in tests
with no network (interop.md 3.2): it checks the client's JWT with the service's secret, answers
POST /v2/notifications/sms|email as Notify does (201 with an id) and GET /v2/notifications/<id>
with the status the test sets."""

from __future__ import annotations

import json
import threading
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import jwt

SERVICE_ID = "3f6b8a52-1c0e-4d7a-9a51-2b7c0f1e9d44"
SECRET = "8d2e6c1a-5b4f-4e3a-b0c9-7a1d2f3e4b5c"
API_KEY = f"muster_test-{SERVICE_ID}-{SECRET}"


class FakeNotify:
    def __init__(self):
        self.sent: dict[str, dict] = {}
        self.status: dict[str, str] = {}
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):  # keep the test output clean
                return

            def _authorised(self) -> bool:
                token = self.headers.get("Authorization", "").removeprefix("Bearer ")
                try:
                    claims = jwt.decode(token, SECRET, algorithms=["HS256"])
                except jwt.PyJWTError:
                    return False
                return claims.get("iss") == SERVICE_ID

            def _answer(self, status: int, body: dict) -> None:
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_POST(self):
                if not self._authorised():
                    return self._answer(403, {"errors": [{"error": "AuthError", "message": "Invalid token"}]})
                kind = self.path.rsplit("/", 1)[-1]
                body = json.loads(self.rfile.read(int(self.headers.get("Content-Length", 0))))
                if kind not in ("sms", "email"):
                    return self._answer(404, {"errors": [{"error": "NotFound", "message": "no such route"}]})
                notification_id = str(uuid.uuid4())
                fake.sent[notification_id] = dict(body, kind=kind)
                fake.status[notification_id] = "created"
                return self._answer(201, {"id": notification_id, "reference": body.get("reference"),
                                          "template": {"id": body["template_id"], "version": 1},
                                          "content": {"body": "…"}, "uri": f"/v2/notifications/{notification_id}"})

            def do_GET(self):
                if not self._authorised():
                    return self._answer(403, {"errors": [{"error": "AuthError", "message": "Invalid token"}]})
                notification_id = self.path.rsplit("/", 1)[-1]
                if notification_id not in fake.sent:
                    return self._answer(404, {"errors": [{"error": "NoResultFound", "message": "No result found"}]})
                sent = fake.sent[notification_id]
                return self._answer(200, {"id": notification_id, "type": sent["kind"],
                                          "status": fake.status[notification_id],
                                          "reference": sent.get("reference")})

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> FakeNotify:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()
