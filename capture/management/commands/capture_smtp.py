import asyncio
import signal
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from capture.smtp import CaptureServer


class Command(BaseCommand):
    help = (
        "Run the Email Capture SMTP service: capture (AUTH with an API key), inbound for verified custom "
        "domains and, with SMTP_SMARTHOST set, the outbound relay; embedded, also the WebSocket endpoint."
    )

    def handle(self, *args, **options):
        for path in (settings.SMTP_TLS_CERT, settings.SMTP_TLS_KEY):
            if not Path(path).is_file():
                raise CommandError(
                    f"No TLS certificate or key at {path}. Set SMTP_TLS_CERT and SMTP_TLS_KEY, "
                    "or run `make cert` for a local self-signed one."
                )
        server = CaptureServer.from_settings()
        asyncio.run(self.serve(server))

    async def serve(self, server: CaptureServer):
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(signum, stop.set)
        await server.start()
        for name, port in server.ports.items():
            self.stdout.write(f"{name:>9}: {server.host}:{port}")
        if "relay" not in server.ports:
            self.stdout.write("    relay: off (set SMTP_SMARTHOST to relay outbound mail)")
        try:
            await stop.wait()
        finally:
            self.stdout.write("Stopping…")
            await server.close()
