"""Sending one e-mail delivery over SMTP: plain text, one message per event."""
import json
import smtplib
import ssl
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formatdate

SECURITY = ("starttls", "tls", "none")


@dataclass(frozen=True)
class SmtpSettings:
    host: str
    port: int
    security: str
    user: str
    password: str
    sender: str
    timeout: float

    @classmethod
    def from_config(cls, config):
        """The SMTP settings, or None when no SMTP host is configured (e-mail is then off)."""
        if not config["RESERVIA_SMTP_HOST"]:
            return None
        if config["RESERVIA_SMTP_SECURITY"].lower() not in SECURITY:
            raise ValueError(f"RESERVIA_SMTP_SECURITY must be one of {', '.join(SECURITY)}, "
                             f"not {config['RESERVIA_SMTP_SECURITY']!r}")
        return cls(config["RESERVIA_SMTP_HOST"], config["RESERVIA_SMTP_PORT"],
                   config["RESERVIA_SMTP_SECURITY"].lower(), config["RESERVIA_SMTP_USER"],
                   config["RESERVIA_SMTP_PASSWORD"], config["RESERVIA_SMTP_FROM"],
                   float(config["RESERVIA_SMTP_TIMEOUT"]))


def message_for(claim, sender):
    """The e-mail of one delivery; its Message-ID is the event's, the same at every attempt."""
    content = json.loads(claim.body)
    message = EmailMessage()
    message["From"] = sender
    message["To"] = claim.recipient
    message["Subject"] = content["subject"]
    message["Date"] = formatdate(usegmt=True)
    domain = sender.rpartition("@")[2].strip("> ") or "reservia.invalid"
    message["Message-ID"] = f"<{claim.event_uid}@{domain}>"
    message["Auto-Submitted"] = "auto-generated"
    message["X-Reservia-Event"] = claim.event
    message.set_content(content["text"])
    return message


def send_email(claim, settings):
    """Hand the message to the SMTP server: (delivered?, SMTP reply code or None, error or None)."""
    message = message_for(claim, settings.sender)
    try:
        if settings.security == "tls":
            client = smtplib.SMTP_SSL(settings.host, settings.port, timeout=settings.timeout,
                                      context=ssl.create_default_context())
        else:
            client = smtplib.SMTP(settings.host, settings.port, timeout=settings.timeout)
        with client:
            if settings.security == "starttls":
                client.starttls(context=ssl.create_default_context())
            if settings.user:
                client.login(settings.user, settings.password)
            client.send_message(message)
    except smtplib.SMTPResponseException as error:
        return False, error.smtp_code, f"SMTP {error.smtp_code}: {_text(error.smtp_error)}"
    except smtplib.SMTPRecipientsRefused as error:
        code, reply = next(iter(error.recipients.values()))
        return False, code, f"SMTP {code}: {_text(reply)}"
    except (smtplib.SMTPException, OSError) as error:
        return False, None, f"SMTP server unreachable or refused: {error}"
    return True, 250, None


def _text(reply):
    return reply.decode("utf-8", "replace") if isinstance(reply, bytes) else str(reply)
