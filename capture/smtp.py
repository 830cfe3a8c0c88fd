"""The SMTP service (aiosmtpd): capture, inbound and outbound relay listeners in one event loop.

- capture (SMTP_CAPTURE_PORT): AUTH PLAIN or LOGIN with the Account ID and an API key,
  after STARTTLS; every message is stored for the account, whatever its recipients.
- inbound (SMTP_INBOUND_PORT): no AUTH; takes mail for verified custom domains only.
- relay (SMTP_RELAY_PORT, when SMTP_SMARTHOST is set): AUTH as for capture; relays mail
  whose sender is on a verified custom domain of the account to the smarthost.

Database work runs in a small thread pool (the ORM is synchronous), relaying in another,
so the event loop only ever waits.
"""

import asyncio
import logging
import ssl
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from aiosmtpd.smtp import SMTP, AuthResult, LoginPassword
from asgiref.sync import sync_to_async
from django.conf import settings
from django.db import close_old_connections, connections

from . import relay, services

logger = logging.getLogger(__name__)

TEMPORARY_FAILURE = "451 4.3.0 Temporary failure on our side; try again later"


def tls_context(cert_path: str, key_path: str) -> ssl.SSLContext:
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    context.load_cert_chain(cert_path, key_path)
    return context


class CaptureSMTP(SMTP):
    """aiosmtpd's protocol with the credentials checked asynchronously, off the event loop."""

    def _authenticate(self, mechanism: str, auth_data) -> AuthResult:
        # aiosmtpd calls this synchronously; the real check happens in `_check_login`.
        return AuthResult(success=False, handled=False, auth_data=auth_data)

    async def auth_PLAIN(self, _, args) -> AuthResult:
        return await self._check_login(await super().auth_PLAIN(_, args))

    async def auth_LOGIN(self, _, args) -> AuthResult:
        return await self._check_login(await super().auth_LOGIN(_, args))

    async def _check_login(self, result: AuthResult) -> AuthResult:
        if result.success or result.handled or not isinstance(result.auth_data, LoginPassword):
            return result
        return await self.event_handler.login(self.session, result.auth_data)


class _Handler:
    """What every listener shares: the recipient limit and the AUTH check."""

    def __init__(self, server: "CaptureServer"):
        self.server = server

    async def login(self, session, credentials: LoginPassword) -> AuthResult:
        account_id = credentials.login.decode("utf-8", "replace")
        raw_key = credentials.password.decode("utf-8", "replace")
        peer = session.peer[0] if session.peer else ""
        try:
            key = await self.server.db(services.smtp_login, account_id=account_id, raw_key=raw_key, peer=peer)
        except services.LoginThrottled:
            return AuthResult(success=False, handled=False, message="454 4.7.0 Too many failed logins; try again later")
        except Exception:
            logger.exception("SMTP login check failed")
            return AuthResult(success=False, handled=False, message="454 4.7.0 Temporary authentication failure")
        if key is None:
            return AuthResult(success=False, handled=False)  # 535 5.7.8 Authentication credentials invalid
        return AuthResult(success=True, auth_data=key.pk)

    async def handle_EHLO(self, server, session, envelope, hostname, responses):
        session.host_name = hostname
        # aiosmtpd announces "AUTH" with no mechanism where none is offered (inbound).
        return [line for line in responses if line.strip() != "250-AUTH"]

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if len(envelope.rcpt_tos) >= settings.SMTP_MAX_RECIPIENTS:
            return f"452 4.5.3 At most {settings.SMTP_MAX_RECIPIENTS} recipients per message"
        return await self.accept_recipient(session, envelope, address)

    async def accept_recipient(self, session, envelope, address):
        envelope.rcpt_tos.append(address)
        return "250 2.1.5 OK"

    def incoming(self, session, envelope) -> services.Incoming:
        content = envelope.original_content or envelope.content or b""
        return services.Incoming(
            mail_from=envelope.mail_from or "",
            rcpt_tos=list(envelope.rcpt_tos),
            raw=content if isinstance(content, bytes) else content.encode("utf-8", "surrogateescape"),
            peer=session.peer[0] if session.peer else None,
            helo=session.host_name or "",
            tls=session.ssl is not None,
        )


class CaptureHandler(_Handler):
    async def handle_DATA(self, server, session, envelope):
        try:
            message = await self.server.db(
                services.message_capture,
                key_id=session.auth_data,
                incoming=self.incoming(session, envelope),
                metering=self.server.metering,
            )
        except services.KeyGone:
            return "535 5.7.8 The API key of this session was deleted; authenticate again"
        except Exception:
            logger.exception("Storing a captured message failed")
            return TEMPORARY_FAILURE
        return f"250 2.0.0 OK: captured as {message.public_id}"


class InboundHandler(_Handler):
    async def accept_recipient(self, session, envelope, address):
        try:
            route = await self.server.db(services.inbound_route, address=address)
        except Exception:
            logger.exception("Looking up an inbound recipient failed")
            return TEMPORARY_FAILURE
        if route is None:
            return f"550 5.1.2 We do not accept mail for <{address}>"
        envelope.routes = {**getattr(envelope, "routes", {}), address: route}
        envelope.rcpt_tos.append(address)
        return "250 2.1.5 OK"

    async def handle_DATA(self, server, session, envelope):
        try:
            messages = await self.server.db(
                services.message_receive,
                incoming=self.incoming(session, envelope),
                routes=envelope.routes,
                metering=self.server.metering,
            )
        except Exception:
            logger.exception("Storing an inbound message failed")
            return TEMPORARY_FAILURE
        if not messages:
            return "550 5.1.2 None of the recipients' domains takes mail any more"
        return "250 2.0.0 OK: " + ", ".join(message.public_id for message in messages)


class RelayHandler(_Handler):
    async def handle_MAIL(self, server, session, envelope, address, mail_options):
        try:
            domain = await self.server.db(services.relay_sender_domain, key_id=session.auth_data, address=address)
        except services.SenderRefused as refused:
            return f"550 5.7.1 {refused}"
        except services.KeyGone:
            return "535 5.7.8 The API key of this session was deleted; authenticate again"
        except Exception:
            logger.exception("Checking a relay sender failed")
            return TEMPORARY_FAILURE
        envelope.mail_from = address
        envelope.mail_options.extend(mail_options)
        envelope.sender_domain_id = domain.pk
        return "250 2.1.0 OK"

    async def handle_DATA(self, server, session, envelope):
        incoming = self.incoming(session, envelope)
        try:
            await self.server.io(relay.send, mail_from=incoming.mail_from, rcpt_tos=incoming.rcpt_tos, raw=incoming.raw)
        except relay.RelayRefused as refused:
            return refused.reply
        try:
            await self.server.db(
                services.relay_record,
                key_id=session.auth_data,
                domain_id=envelope.sender_domain_id,
                size=incoming.size,
                metering=self.server.metering,
            )
        except Exception:
            # Relayed already: the message must not be sent twice by a client retrying.
            logger.exception("Counting a relayed message failed")
        return "250 2.0.0 OK: relayed"


@dataclass
class Listener:
    name: str
    port: int | None


class CaptureServer:
    """The listeners, their thread pools and, optionally, the WebSocket endpoint, on one loop.

    Ports: None leaves a listener off; 0 picks a free port (see `ports` once started).
    """

    def __init__(
        self,
        *,
        host: str | None = None,
        capture_port: int | None = None,
        inbound_port: int | None = None,
        relay_port: int | None = None,
        websocket_port: int | None = None,
        tls: ssl.SSLContext | None = None,
        metering: bool = True,
        db_threads: int | None = None,
    ):
        self.host = host or settings.SMTP_HOST
        self.listeners = [
            Listener("capture", capture_port),
            Listener("inbound", inbound_port),
            Listener("relay", relay_port),
        ]
        self.websocket_port = websocket_port
        self.tls = tls
        self.metering = metering
        self.db_threads = db_threads or settings.SMTP_DB_THREADS
        self.ports: dict[str, int] = {}
        self._servers: list[asyncio.AbstractServer] = []
        self._websocket = None
        self._websocket_task = None
        self._db_executor = ThreadPoolExecutor(self.db_threads, thread_name_prefix="capture-db")
        self._io_executor = ThreadPoolExecutor(8, thread_name_prefix="capture-relay")
        self._thread: threading.Thread | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stop: asyncio.Event | None = None

    @classmethod
    def from_settings(cls, **overrides) -> "CaptureServer":
        options = {
            "capture_port": settings.SMTP_CAPTURE_PORT,
            "inbound_port": settings.SMTP_INBOUND_PORT,
            "relay_port": settings.SMTP_RELAY_PORT if settings.SMTP_SMARTHOST else None,
            "websocket_port": settings.CAPTURE_WS_PORT,
            "tls": tls_context(settings.SMTP_TLS_CERT, settings.SMTP_TLS_KEY),
        }
        return cls(**(options | overrides))

    async def db(self, function: Callable, /, **kwargs):
        return await sync_to_async(
            _with_fresh_connection(function), thread_sensitive=False, executor=self._db_executor
        )(**kwargs)

    async def io(self, function: Callable, /, **kwargs):
        return await sync_to_async(function, thread_sensitive=False, executor=self._io_executor)(**kwargs)

    def _protocol(self, name: str, loop: asyncio.AbstractEventLoop) -> Callable[[], SMTP]:
        handler = {"capture": CaptureHandler, "inbound": InboundHandler, "relay": RelayHandler}[name](self)
        authenticated = name != "inbound"

        def protocol() -> SMTP:
            # Settings are read per connection: a changed limit applies to the next client.
            return CaptureSMTP(
                handler,
                data_size_limit=settings.SMTP_MAX_MESSAGE_BYTES,
                hostname=settings.SMTP_HOSTNAME,
                ident="Mailsac Email Capture",
                tls_context=self.tls,
                auth_required=authenticated,
                auth_require_tls=settings.SMTP_AUTH_REQUIRE_TLS,
                auth_exclude_mechanism=[] if authenticated else ["PLAIN", "LOGIN"],
                timeout=settings.SMTP_TIMEOUT,
                # A few AUTH tries per connection; many messages per connection.
                command_call_limit={"AUTH": 5, "*": 100_000},
                loop=loop,
            )

        return protocol

    async def start(self) -> None:
        loop = asyncio.get_running_loop()
        for listener in self.listeners:
            if listener.port is None:
                continue
            server = await loop.create_server(self._protocol(listener.name, loop), self.host, listener.port)
            self._servers.append(server)
            self.ports[listener.name] = server.sockets[0].getsockname()[1]
        if self.websocket_port is not None:
            await self._start_websocket()
        for name, port in self.ports.items():
            logger.info("Email Capture %s listening on %s:%s", name, self.host, port)

    async def _start_websocket(self) -> None:
        import uvicorn

        from mailsac_accounts.asgi import application

        config = uvicorn.Config(
            application,
            host=self.host,
            port=self.websocket_port,
            lifespan="off",
            log_level="warning",
            ws="websockets-sansio",
            # Listeners parked in a channel layer read are cancelled rather than waited for.
            timeout_graceful_shutdown=2,
        )
        config.load()
        self._websocket = uvicorn.Server(config)
        self._websocket.lifespan = config.lifespan_class(config)
        await self._websocket.startup()
        self.ports["websocket"] = self._websocket.servers[0].sockets[0].getsockname()[1]
        self._websocket_task = asyncio.create_task(self._websocket.main_loop())

    async def close(self) -> None:
        for server in self._servers:
            server.close()
        for server in self._servers:
            await server.wait_closed()
        if self._websocket is not None:
            self._websocket.should_exit = True
            await self._websocket_task
            await self._websocket.shutdown()
            # The consumers' queries ran on asgiref's shared thread: close its connection there.
            await sync_to_async(connections.close_all)()
        await asyncio.get_running_loop().run_in_executor(None, self._close_executors)

    def _close_executors(self) -> None:
        # Each database thread closes its own connection: a barrier hands one call to every thread.
        barrier = threading.Barrier(self.db_threads)

        def close_connection():
            barrier.wait(timeout=10)
            connections.close_all()

        for future in [self._db_executor.submit(close_connection) for _ in range(self.db_threads)]:
            future.result()
        self._db_executor.shutdown()
        self._io_executor.shutdown()

    async def serve(self, stop: asyncio.Event) -> None:
        await self.start()
        try:
            await stop.wait()
        finally:
            await self.close()

    # Running in a background thread: tests and the benchmark.

    def start_in_thread(self, timeout: float = 10) -> "CaptureServer":
        started = threading.Event()
        failure: list[BaseException] = []

        def run():
            async def main():
                self._loop = asyncio.get_running_loop()
                self._stop = asyncio.Event()
                try:
                    await self.start()
                except BaseException as error:
                    failure.append(error)
                    started.set()
                    raise
                started.set()
                try:
                    await self._stop.wait()
                finally:
                    await self.close()

            asyncio.run(main())

        self._thread = threading.Thread(target=run, name="capture-smtp", daemon=True)
        self._thread.start()
        if not started.wait(timeout):
            raise RuntimeError("The SMTP service did not start in time.")
        if failure:
            self._thread.join(timeout)
            raise failure[0]
        return self

    def stop_thread(self, timeout: float = 30) -> None:
        if self._thread is None:
            return
        if self._loop is not None and self._stop is not None:
            self._loop.call_soon_threadsafe(self._stop.set)
        self._thread.join(timeout)
        self._thread = None


def _with_fresh_connection(function: Callable) -> Callable:
    """Drop a database connection that is broken or past CONN_MAX_AGE before using it, as a request would."""

    def call(**kwargs):
        close_old_connections()
        return function(**kwargs)

    return call
