"""What makes a password acceptable: long enough, more than spaces, not containing the user's
name, not the site's name with a year or digits ("Reservia2026"), and not among the passwords
guessed first. Checked by the Database layer wherever a password is set (API, pages, command
line, the first administrator), so that no way in skips it."""
import re

from backend.errors import Invalid
from backend.models.names import canonical

MIN_LENGTH = 8
# zxcvbn's estimate, 0 to 4: below 2, a password falls within the first million guesses (common
# passwords and their usual variants: "Password1!", "qwertyuiop", "aaaaaaaa").
MIN_SCORE = 2
# zxcvbn's own limit: the first 72 characters decide (estimating more takes far longer).
ESTIMATED_LENGTH = 72
# The site's name: what an attacker tries first, with this year's number, against every account.
SITE_NAME = "reservia"
# Names shorter than this may turn up in any password by chance ("al" in "totally").
MIN_NAME_IN_PASSWORD = 3
_NO_LETTERS = re.compile(r"[\W\d_]*")


def password_problem(password, name=None, email=None):
    """Why `password` is refused, in words for the person choosing it; None when it will do."""
    if not password.strip():
        return "A password of spaces only is too easy to guess."
    if len(password) < MIN_LENGTH:
        return f"Use at least {MIN_LENGTH} characters."
    folded = canonical(password)
    if name and canonical(password.strip()) == canonical(name):
        return "The password must not be the user name."
    if name and len(canonical(name)) >= MIN_NAME_IN_PASSWORD and canonical(name) in folded:
        return "The password must not contain the user name."
    if SITE_NAME in folded and _NO_LETTERS.fullmatch(folded.replace(SITE_NAME, "")):
        return "Too easy to guess: the site's name with a year or digits is among the first passwords tried."
    from zxcvbn import zxcvbn  # here: its word lists load when a password is first set, not at every start
    hints = [hint for hint in (name, email, (email or "").split("@")[0], SITE_NAME) if hint]
    estimate = zxcvbn(password[:ESTIMATED_LENGTH], user_inputs=hints)
    if estimate["score"] >= MIN_SCORE:
        return None
    warning = estimate["feedback"]["warning"] or "add another word or two; uncommon words are better."
    return f"Too easy to guess: {warning[0].lower()}{warning[1:]}"


def check_password(password, name=None, email=None, field="password"):
    """Invalid (WEAK_PASSWORD, naming the form field) unless the password will do."""
    problem = password_problem(password, name, email)
    if problem:
        raise Invalid(problem, "WEAK_PASSWORD", fields={field: [problem]})


def refuse_unchanged(field="password"):
    """Invalid (SAME_PASSWORD): a new password must differ from the one it replaces."""
    message = "The new password must differ from the current one."
    raise Invalid(message, "SAME_PASSWORD", fields={field: [message]})
