"""Debian's nginx started by a test with docs/deploy/nginx.conf filled with loopback values,
and stopped by it: a child process on free ports, its files in a temporary directory."""

import getpass
import shutil
import signal
import socket
import subprocess
from pathlib import Path

from support.faults import free_port
from support.waiting import wait_for

TEMPLATE = Path(__file__).resolve().parents[2] / "docs" / "deploy" / "nginx.conf"


def missing() -> str | None:
    """Why the proxy tests cannot run here (their skip reason), or None."""
    if not shutil.which("nginx") and not Path("/usr/sbin/nginx").exists():
        return "needs nginx (apt-get install -y nginx)"
    if not shutil.which("openssl"):
        return "needs openssl to make the proxy's test certificate"
    return None


def _accepts(port: int) -> bool:
    try:
        socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
    except OSError:
        return False
    return True


class Nginx:
    def __init__(self, directory: Path, nodes: list[str]):
        self.prefix = directory
        self.https_port, self.http_port = free_port(), free_port()
        self.url = f"https://127.0.0.1:{self.https_port}"
        certificate, key = directory / "proxy.crt", directory / "proxy.key"
        subprocess.run(
            ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1"]
            + ["-subj", "/CN=127.0.0.1", "-keyout", str(key), "-out", str(certificate)],
            check=True,
            capture_output=True,
            timeout=60,
        )
        values = {
            "USER": getpass.getuser(),
            "PREFIX": str(directory),
            "LISTEN_HTTP": f"127.0.0.1:{self.http_port}",
            "LISTEN_HTTPS": f"127.0.0.1:{self.https_port}",
            "SERVER_NAME": "127.0.0.1",
            "CERTIFICATE": str(certificate),
            "CERTIFICATE_KEY": str(key),
            "NODES": " ".join(f"server {node};" for node in nodes),
        }
        text = TEMPLATE.read_text()
        for name, value in values.items():
            text = text.replace("{{" + name + "}}", value)
        assert "{{" not in text, "a placeholder of docs/deploy/nginx.conf was left unfilled"
        self.config = directory / "nginx.conf"
        self.config.write_text(text)
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        nginx = shutil.which("nginx") or "/usr/sbin/nginx"
        command = [nginx, "-c", str(self.config), "-p", str(self.prefix)]
        command += ["-e", str(self.prefix / "error.log"), "-g", "daemon off;"]
        self.process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)

        def up() -> bool:
            if self.process.poll() is not None:
                raise AssertionError(f"nginx exited: {self.process.stderr.read().decode()}")
            return _accepts(self.https_port)

        wait_for(up, 15, "nginx", 0.05)

    def access_log(self) -> str:
        return (self.prefix / "access.log").read_text()

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGQUIT)  # graceful: finish requests, then exit
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=10)
