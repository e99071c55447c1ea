"""The Flask class Reservia runs on."""
from inspect import iscoroutinefunction

from flask import Flask


class ReserviaFlask(Flask):
    """Flask, remembering which functions are coroutines instead of asking again on every request.

    Flask passes every hook and view through ensure_sync on each request, and each time inspects
    the function: nine inspections were a tenth of the cost of the health check. A function does
    not change kind, so the answer is kept per function (per underlying function for the bound
    methods MethodView creates anew on each request).
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._is_coroutine = {}

    def ensure_sync(self, func):
        key = getattr(func, "__func__", func)
        try:
            is_coroutine = self._is_coroutine[key]
        except KeyError:
            is_coroutine = self._is_coroutine[key] = iscoroutinefunction(func)
        return self.async_to_sync(func) if is_coroutine else func
