"""Every example in docs/API.md and README.md is one /openapi.json allows: each request body a curl
command or the Python example sends, against its operation's request body; each `# →` answer
against one of that operation's answers. Answers in the docs are abridged, so only the fields shown
are checked (their types, and an error's code among the codes the description lists).

tests/test_docs_walkthrough.py replays the same examples against a live server: together the
docs, the description and the server agree.
"""
import ast
import json
import re
import shlex
from urllib.parse import parse_qsl, urlsplit

import pytest
from jsonschema import Draft202012Validator

from tests.test_docs_walkthrough import ARROW, DOCUMENTED_BASE, ROOT

pytestmark = pytest.mark.once

DOCUMENTS = ("README.md", "docs/API.md", "docs/bookings.md")
# The shell variables the examples use; any other ($REQUEST, $guess …) stands for a number.
VARIABLES = {"BASE": DOCUMENTED_BASE, "JSON": "Content-Type: application/json",
             "AUTH": "Authorization: Bearer rsv_example"}
# curl's options that take a value.
WITH_VALUE = {"-X", "-d", "--data", "-H", "-o", "-b", "-c", "--json"}
PYTHON_CALL = re.compile(r'\.(get|post)\(f"\{base\}(/[^"]*)"(?:, json=(\{[^)]*\}))?\)')


class Example:
    """One request of the docs, with its body (or None) and the answer shown after it (or None)."""

    def __init__(self, where, method, url, body):
        self.where, self.method, self.body, self.answer = where, method, body, None
        parts = urlsplit(url)
        self.path, self.query = parts.path, dict(parse_qsl(parts.query))

    def __repr__(self):
        return f"{self.where}: {self.method.upper()} {self.path}"


def curl_request(where, line):
    """The request of the curl command on a line of shell, or None when it has none."""
    line = re.sub(r"\$(\w+)", lambda m: VARIABLES.get(m.group(1), "1"), line)
    lexer = shlex.shlex(line, posix=True, punctuation_chars=True)
    lexer.whitespace_split = True
    words = list(lexer)
    if "curl" not in words:
        return None
    options, url, rest = {}, None, iter(words[words.index("curl") + 1:])
    for word in rest:
        if word in (";", "&&", "|"):
            break
        if word in WITH_VALUE:
            options[word] = next(rest)
        elif word.startswith("http"):
            url = word
    body = options.get("-d", options.get("--data"))
    method = options.get("-X", "POST" if body is not None else "GET").lower()
    return Example(where, method, url, json.loads(body) if body is not None else None)


def examples_of(document):
    """Every request of the document's shell sessions and Python example, with their answers."""
    text = (ROOT / document).read_text(encoding="utf-8")
    found = []
    for block in re.finditer(r"```sh\n(.*?)```", text, flags=re.S):
        first_line = text[:block.start(1)].count("\n") + 1
        last = None
        for number, line in enumerate(block.group(1).splitlines(), start=first_line):
            if line.startswith(ARROW):
                assert last is not None and last.answer is None, f"{document}:{number}: an answer to no request"
                last.answer = json.loads(line[len(ARROW):])
                continue
            example = curl_request(f"{document}:{number}", line)
            if example is not None:
                found.append(example)
                last = example
    for match in PYTHON_CALL.finditer(text):
        number = text[:match.start()].count("\n") + 1
        body = ast.literal_eval(match.group(3)) if match.group(3) else None
        found.append(Example(f"{document}:{number}", match.group(1), match.group(2), body))
    return found


EXAMPLES = [example for document in DOCUMENTS for example in examples_of(document)]


@pytest.fixture(scope="module")
def document(module_app):
    return module_app.test_client().get("/openapi.json").json


def resolved(document, schema, abridged=False):
    """The schema with its references written out; without its `required` lists when `abridged`."""
    if isinstance(schema, dict):
        if "$ref" in schema:
            return resolved(document, document["components"]["schemas"][schema["$ref"].rsplit("/", 1)[1]], abridged)
        return {k: resolved(document, v, abridged) for k, v in schema.items()
                if not (abridged and k == "required" and isinstance(v, list))}
    if isinstance(schema, list):
        return [resolved(document, v, abridged) for v in schema]
    return schema


def operation_for(document, example):
    for template, operations in document["paths"].items():
        pattern = "^" + re.sub(r"\\\{\w+\\\}", "[^/]+", re.escape(template)) + "$"
        if re.match(pattern, example.path) and example.method in operations:
            return operations[example.method]
    raise AssertionError(f"{example}: no such operation in the description")


def problems(document, schema, instance, abridged=False):
    validator = Draft202012Validator(resolved(document, schema, abridged))
    return [error.message for error in validator.iter_errors(instance)]


def test_the_docs_show_enough_examples_to_check():
    assert len(EXAMPLES) >= 60
    assert sum(e.answer is not None for e in EXAMPLES) >= 50


@pytest.mark.parametrize("example", EXAMPLES, ids=repr)
def test_every_request_in_the_docs_is_one_the_description_allows(document, example):
    operation = operation_for(document, example)
    declared = {p["name"] for p in operation.get("parameters", ()) if p["in"] == "query"}
    assert set(example.query) <= declared, f"{example}: undeclared query parameters"
    if example.body is None:
        return
    assert "requestBody" in operation, f"{example}: a body the operation does not take"
    schema = operation["requestBody"]["content"]["application/json"]["schema"]
    found = problems(document, schema, example.body)
    # The docs also show bad input and its refusal: a body the description refuses must be one the
    # server refuses as invalid (400).
    invalid = document["components"]["schemas"]["Error400"]["properties"]["code"]["enum"]
    assert found == [] or (example.answer or {}).get("code") in invalid, f"{example}: {found}"


@pytest.mark.parametrize("example", [e for e in EXAMPLES if e.answer is not None], ids=repr)
def test_every_answer_in_the_docs_is_one_the_description_allows(document, example):
    operation = operation_for(document, example)
    error = "code" in example.answer or "error" in example.answer
    candidates = {status: response["content"]["application/json"]["schema"]
                  for status, response in operation["responses"].items()
                  if (int(status) >= 400) == error and "application/json" in response.get("content", {})}
    assert candidates, f"{example}: the operation describes no such answer"
    refusals = {status: problems(document, schema, example.answer, abridged=True)
                for status, schema in candidates.items()}
    assert any(not found for found in refusals.values()), f"{example}: {refusals}"
