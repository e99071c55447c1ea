"""The key that signs session cookies: from the settings, or generated once and kept in the data folder."""
import os
import secrets
from pathlib import Path


def load_secret_key(configured, home):
    """The configured key, else the one in HOME/secret_key, created with mode 0600 on first use."""
    if configured:
        return configured
    path = Path(home) / "secret_key"
    if not path.exists():
        # Write a private temporary file and link it into place: when several processes start
        # at once, exactly one link succeeds and every process reads the same key.
        tmp = path.with_name(f".secret_key.{os.getpid()}.{secrets.token_hex(4)}")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(secrets.token_hex(32))
        try:
            os.link(tmp, path)
        except FileExistsError:
            pass
        finally:
            tmp.unlink()
    return path.read_text().strip()
