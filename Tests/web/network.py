"""The phone's network, as a loopback TCP relay in front of the server. Tests
cut it (connections refused), or make it answer 500, or swallow the answer
after the server has stored the record (a timeout mid-send), or drop the
phone's `Accept-Encoding` (to weigh what goes over the wire without gzip)."""
import socket
import threading


class Network:
    def __init__(self, server_port):
        self.server_port = server_port
        self.mode = "up"            # up | down | error500 | swallow
        self.swallow_remaining = 0
        self.error_remaining = 0
        self.listener = None
        self.port = None
        self.lock = threading.Lock()
        self.threads = []
        self.closed = False
        self.plain = False          # drop Accept-Encoding from requests

    def start(self):
        self.listener = socket.socket()
        self.listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.listener.bind(("127.0.0.1", 0))
        self.listener.listen(64)
        self.port = self.listener.getsockname()[1]
        thread = threading.Thread(target=self._accept, daemon=True)
        thread.start()

    @property
    def base_url(self):
        return f"http://127.0.0.1:{self.port}"

    def set(self, mode, count=0):
        with self.lock:
            self.mode = mode
            self.swallow_remaining = count if mode == "swallow" else 0
            self.error_remaining = count if mode == "error500" else 0

    def close(self):
        self.closed = True
        try:
            self.listener.close()
        except OSError:
            pass

    def _accept(self):
        while not self.closed:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            threading.Thread(target=self._relay, args=(client,), daemon=True).start()

    def _read_request(self, client):
        data = b""
        while b"\r\n\r\n" not in data:
            chunk = client.recv(65536)
            if not chunk:
                return None
            data += chunk
        head, _, body = data.partition(b"\r\n\r\n")
        length = 0
        for line in head.split(b"\r\n")[1:]:
            name, _, value = line.partition(b":")
            if name.strip().lower() == b"content-length":
                length = int(value.strip())
        while len(body) < length:
            chunk = client.recv(65536)
            if not chunk:
                return None
            body += chunk
        return head, body

    def _relay(self, client):
        """One request per connection: the relay forces `Connection: close`."""
        with client:
            client.settimeout(30)
            try:
                request = self._read_request(client)
            except OSError:
                return
            if request is None:
                return
            head, body = request
            is_submission = head.startswith(b"POST ") and b"/submission " in head.split(b"\r\n")[0]
            with self.lock:
                mode = self.mode
                if mode == "down":
                    return  # the connection just dies, as with no network
                if mode == "error500" and is_submission and self.error_remaining > 0:
                    self.error_remaining -= 1
                    if self.error_remaining == 0:
                        self.mode = "up"
                    client.sendall(b"HTTP/1.1 500 Internal Server Error\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
                    return
                swallow = mode == "swallow" and is_submission and self.swallow_remaining > 0
                if swallow:
                    self.swallow_remaining -= 1
                    if self.swallow_remaining == 0:
                        self.mode = "up"
            dropped = (b"connection:", b"keep-alive:") + ((b"accept-encoding:",) if self.plain else ())
            lines = [line for line in head.split(b"\r\n") if not line.lower().startswith(dropped)]
            forwarded = b"\r\n".join(lines) + b"\r\nConnection: close\r\n\r\n" + body
            try:
                with socket.create_connection(("127.0.0.1", self.server_port), timeout=30) as upstream:
                    upstream.sendall(forwarded)
                    response = b""
                    while True:
                        chunk = upstream.recv(65536)
                        if not chunk:
                            break
                        response += chunk
            except OSError:
                return
            if swallow:
                return  # stored by the server, but the phone never hears back
            try:
                client.sendall(response)
            except OSError:
                pass
