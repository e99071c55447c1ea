"""Compiled templates shared by every application of a test run.

Each test's application has a Jinja environment of its own and compiled every template it
rendered anew; a server has one application per process, so only the tests paid for it. The
bucket key holds the template's name and a checksum of its source: a changed template is
compiled again.
"""
from jinja2 import BytecodeCache


class SharedTemplates(BytecodeCache):
    def __init__(self):
        self._code = {}

    def load_bytecode(self, bucket):
        code = self._code.get(bucket.key)
        if code is not None:
            bucket.bytecode_from_string(code)

    def dump_bytecode(self, bucket):
        self._code[bucket.key] = bucket.bytecode_to_string()


SHARED_TEMPLATES = SharedTemplates()
