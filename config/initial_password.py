"""The first administrator's generated password, kept in the data folder for the operator, the
way Jenkins hands out its first password: readable by the operator only, gone once changed."""
import os
import secrets
from pathlib import Path

FILE_NAME = "initial-admin-password"


def initial_password_file(home):
    return Path(home) / FILE_NAME


def write_initial_password(home, password):
    """Write the password (and a newline) to HOME/initial-admin-password, mode 0600, replacing
    any earlier one: written to a private temporary file, then renamed into place."""
    path = initial_password_file(home)
    tmp = path.with_name(f".{FILE_NAME}.{os.getpid()}.{secrets.token_hex(4)}")
    descriptor = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "w") as handle:
        handle.write(password + "\n")
    os.replace(tmp, path)
    return path


def read_initial_password(home):
    """The password kept in the file, or None when there is no such file."""
    try:
        return initial_password_file(home).read_text().strip()
    except FileNotFoundError:
        return None


def remove_initial_password(home):
    initial_password_file(home).unlink(missing_ok=True)
