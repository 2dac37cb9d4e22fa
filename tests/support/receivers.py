"""A partner's webhook endpoint on loopback, as the webhook and fleet tests run one."""

import threading
from http.server import ThreadingHTTPServer


class QuietServer(ThreadingHTTPServer):
    """A threaded HTTP server that says nothing about broken connections: a worker killed
    mid-request (the point of several tests) leaves them behind."""

    daemon_threads = True
    request_queue_size = 256

    def handle_error(self, request, client_address):
        pass


def serve(handler) -> QuietServer:
    """Serve `handler` on a free loopback port, in a daemon thread, until `shutdown()`."""
    server = QuietServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True).start()
    return server
