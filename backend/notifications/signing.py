"""Webhook signatures: HMAC-SHA256 of the exact body with the webhook's secret."""
import hashlib
import hmac


def signature(secret, body):
    """The X-Reservia-Signature header's value for this body: "sha256=<hex digest>"."""
    digest = hmac.new(secret.encode("utf-8"), body if isinstance(body, bytes) else body.encode("utf-8"),
                      hashlib.sha256).hexdigest()
    return f"sha256={digest}"


def is_valid(secret, body, header):
    """Whether a received X-Reservia-Signature header matches: what a receiver checks."""
    return hmac.compare_digest(signature(secret, body), header or "")
