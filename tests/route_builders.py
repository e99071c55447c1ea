"""One URL builder per route for the whole run, instead of two compiled per route per application.

Werkzeug compiles each route's URL builders (one for `url_for`, one that also appends unknown
arguments as a query string) from a syntax tree when the route is added to an application's URL
map: some 0.3 ms each, 40-50 ms for each of Reservia's applications, and the suite builds an
application for most tests (about a tenth of an engine run's time went into these builders).
A builder is a function of the route's text and options alone: it reads the route's converters
through the route it is bound to when called, so a builder compiled for one application's route
serves the same route of every other application. Reservia itself builds one application per
process and is not changed; its URLs are the same either way (every test that follows a link or
calls url_for checks them).
"""
from werkzeug.routing import Rule

_compile_builder = Rule._compile_builder


def _route_shape(rule, append_unknown):
    """Everything a builder's code depends on: the route's text, where it matches, its defaults
    (folded into the code as constants through their converters) and its converters' kinds."""
    converters = tuple(sorted((name, type(converter)) for name, converter in rule._converters.items()))
    return (rule.rule, rule.subdomain, rule.host, rule.map.host_matching, rule.merge_slashes,
            repr(sorted((rule.defaults or {}).items())), converters, append_unknown)


def keep_route_builders():
    """Make Werkzeug compile each route's builders once per run."""
    kept = {}

    def kept_builder(rule, append_unknown=True):
        shape = _route_shape(rule, append_unknown)
        if shape not in kept:
            kept[shape] = _compile_builder(rule, append_unknown)
        return kept[shape]

    Rule._compile_builder = kept_builder
