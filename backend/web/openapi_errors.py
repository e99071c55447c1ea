"""The error codes each HTTP status can carry, found in Reservia's own source.

Every refusal is a domain error raised with its code where a rule is broken
(`Conflict("…", "USER_EXISTS")`, backend/errors.py); reading those raises once, when the
description is first built, keeps the codes /openapi.json declares the codes the server sends,
a new one included, without a list to keep by hand.
"""
import ast
import inspect
from functools import cache
from pathlib import Path

from backend.errors import Invalid, ReserviaError

# The backend package, whose source is read.
BACKEND = Path(__file__).resolve().parent.parent
# Refusals made by the web layer from HTTP errors rather than domain errors (error_handlers.py):
# a form without its CSRF token, a URL or method the router does not know, a bug.
HTTP_CODES = {400: {"CSRF_FAILED", "BAD_REQUEST"}, 404: {"NOT_FOUND"}, 405: {"METHOD_NOT_ALLOWED"},
              413: {"REQUEST_ENTITY_TOO_LARGE"}, 500: {"INTERNAL_ERROR"}}


def error_classes():
    """Every domain error class by name, subclasses of subclasses included, and the form
    validation message that carries its own code (binding.py's CodedMessage, refused as Invalid)."""
    found, pending = {"CodedMessage": Invalid}, [ReserviaError]
    while pending:
        cls = pending.pop()
        found[cls.__name__] = cls
        pending.extend(cls.__subclasses__())
    return found


@cache
def codes_by_status(root=BACKEND):
    """{status: sorted codes}: each class's own code, every code its raises in `root` (the
    backend package) name, and the web layer's HTTP codes. Read once per process (0.4 s)."""
    classes = error_classes()
    found = {status: set(codes) for status, codes in HTTP_CODES.items()}
    for cls in classes.values():
        found.setdefault(cls.status, set()).add(cls.code)
    for path in sorted(Path(root).rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            cls = classes.get(_called_name(node))
            code = _code_argument(node, cls) if cls is not None else None
            if code:
                found.setdefault(cls.status, set()).add(code)
    return {status: sorted(codes) for status, codes in sorted(found.items())}


def _called_name(node):
    if not isinstance(node, ast.Call):
        return None
    if isinstance(node.func, ast.Name):
        return node.func.id
    return node.func.attr if isinstance(node.func, ast.Attribute) else None


def _code_argument(call, cls):
    """The literal `code` a call of the error class gives, by keyword or by position."""
    for keyword in call.keywords:
        if keyword.arg == "code":
            return _literal(keyword.value)
    names = [n for n in inspect.signature(cls.__init__).parameters if n != "self"]
    position = names.index("code") if "code" in names else None
    if position is not None and position < len(call.args):
        return _literal(call.args[position])
    return None


def _literal(node):
    return node.value if isinstance(node, ast.Constant) and isinstance(node.value, str) else None
