"""Handing outbound mail to the smarthost (settings.SMTP_SMARTHOST, "host:port")."""

import smtplib
import ssl

from django.conf import settings


class RelayRefused(Exception):
    """The smarthost did not take the message; `reply` is the SMTP answer for our client."""

    def __init__(self, reply: str):
        super().__init__(reply)
        self.reply = reply


def send(*, mail_from: str, rcpt_tos: list[str], raw: bytes) -> None:
    host, _, port = settings.SMTP_SMARTHOST.rpartition(":")
    if not host:
        raise RelayRefused("451 4.3.5 Outbound relay is not configured")
    try:
        with smtplib.SMTP(host, int(port), timeout=settings.SMTP_SMARTHOST_TIMEOUT) as smarthost:
            if settings.SMTP_SMARTHOST_STARTTLS:
                smarthost.starttls(context=ssl.create_default_context())
            if settings.SMTP_SMARTHOST_USER:
                smarthost.login(settings.SMTP_SMARTHOST_USER, settings.SMTP_SMARTHOST_PASSWORD)
            smarthost.sendmail(mail_from, rcpt_tos, raw)
    except smtplib.SMTPRecipientsRefused as error:
        code, text = next(iter(error.recipients.values()))
        raise RelayRefused(_reply(code, text, "No recipient was accepted")) from None
    except smtplib.SMTPResponseException as error:
        raise RelayRefused(_reply(error.smtp_code, error.smtp_error, "The smarthost refused the message")) from None
    except (OSError, smtplib.SMTPException):
        raise RelayRefused("451 4.4.1 The outbound relay is unreachable; try again later") from None


def _reply(code: int, text: bytes | str, summary: str) -> str:
    """Pass on whether it was temporary or permanent, in our own words plus the smarthost's."""
    detail = text.decode("utf-8", "replace") if isinstance(text, bytes) else str(text)
    detail = " ".join(detail.split())[:200]
    if 400 <= code < 500:
        return f"451 4.4.0 {summary} for now ({code} {detail}); try again later"
    return f"554 5.0.0 {summary} ({code} {detail})"
