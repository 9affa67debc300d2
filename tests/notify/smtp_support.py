"""A real SMTP server (aiosmtpd) on 127.0.0.1, recording what it accepts."""

import asyncio
import socket
import threading
from email import message_from_bytes
from email.policy import default

from aiosmtpd.controller import Controller


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Recorder:
    """The handler: keeps each accepted message; `hold` makes the next DATA wait forever
    (until the server stops), standing for a server that has not answered yet."""

    def __init__(self):
        self.messages = []
        self.hold_next = threading.Event()
        self.holding = threading.Event()

    async def handle_DATA(self, server, session, envelope):
        if self.hold_next.is_set():
            self.hold_next.clear()
            self.holding.set()
            await asyncio.sleep(3600)
        message = message_from_bytes(envelope.content, policy=default)
        message.envelope_to = list(envelope.rcpt_tos)
        self.messages.append(message)
        return "250 Message accepted for delivery"


class SMTPServer:
    """Start, stop and start again on the same port (SMTP down, then up)."""

    def __init__(self):
        self.port = free_port()
        self.recorder = Recorder()
        self.controller = None

    @property
    def url(self):
        return f"smtp+plain://127.0.0.1:{self.port}"

    @property
    def messages(self):
        return self.recorder.messages

    def start(self):
        self.controller = Controller(self.recorder, hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def stop(self):
        if self.controller is not None:
            self.controller.stop()
            self.controller = None
