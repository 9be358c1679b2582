"""Prompt templates of task files: jinja2 in a sandbox, with a time and a size limit.

A task YAML is untrusted input, and so are its templates. They are rendered in jinja2's
``ImmutableSandboxedEnvironment`` (no ``cycler.__init__.__globals__``, no underscore attributes,
no mutating methods), and every render is bounded:

- time: ``TEMPLATE_TIME_LIMIT_S`` seconds; the compiled template reads the clock on every turn of
  a ``{% for %}`` loop (its ``if`` filter too) and every macro call, and so does every filter, method
  call and operator it runs through the sandbox;
- size: no output, and no value built on the way (``*``, ``+``, ``%``, ``~``, ``{% set %}``
  blocks, filters, method calls), may exceed ``TEMPLATE_MAX_CHARS`` characters; operations that
  multiply sizes (``'a' * n``, ``replace``, ``join``, ``indent``, format widths…) are checked
  *before* they allocate.

Ordinary templates render exactly as with ``jinja2.Environment(undefined=StrictUndefined,
keep_trailing_newline=True)``: same text, so prompt hashes and run cache keys do not change.
"""

from __future__ import annotations

import functools
import re
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from jinja2 import StrictUndefined, TemplateError, TemplateRuntimeError, TemplateSyntaxError, nodes
from jinja2.compiler import CodeGenerator, optimizeconst
from jinja2.runtime import markup_join, str_join
from jinja2.sandbox import ImmutableSandboxedEnvironment, SecurityError
from jinja2.utils import Namespace

TEMPLATE_TIME_LIMIT_S = 2.0
TEMPLATE_MAX_CHARS = 1_000_000
_MAX_INT_BITS = 4096  # integers built by * and ** stay below ~1200 decimal digits
_MAX_JSON_INDENT = 64


class TemplateLimitError(TemplateRuntimeError):
    """A template went past the time or the size limit."""


class TemplateProblem(Exception):
    """A template that cannot be used; ``str()`` is one line for a person."""


# -- time -------------------------------------------------------------------------------------

_deadline = threading.local()  # .end: time.monotonic() when the current render must stop


def tick() -> None:
    """Stop the current render once its time is up (no-op outside a render)."""
    end = getattr(_deadline, "end", None)
    if end is not None and time.monotonic() > end:
        raise TemplateLimitError(f"rendering took longer than {TEMPLATE_TIME_LIMIT_S:g} s (TEMPLATE_TIME_LIMIT_S)")


@contextmanager
def _time_limit(seconds: float) -> Iterator[None]:
    previous = getattr(_deadline, "end", None)
    _deadline.end = time.monotonic() + seconds
    try:
        yield
    finally:
        _deadline.end = previous


# -- sizes ------------------------------------------------------------------------------------


def _size(value: Any, limit: int = TEMPLATE_MAX_CHARS) -> int:
    """Roughly the characters ``str(value)`` would have; stops counting once past ``limit``
    (so shared or cyclic structures cost at most ``limit`` steps)."""
    total = 0
    stack = [value]
    while stack and total <= limit:
        v = stack.pop()
        kind = type(v)  # not isinstance: Namespace answers attribute lookups in Python
        if v is not value:
            total += 4  # an item takes a few characters more: quotes, ", "
        if kind is str or kind is bytes or issubclass(kind, (str, bytes, bytearray)):
            total += len(v)
        elif kind is int:
            total += v.bit_length() // 3
        elif issubclass(kind, dict):
            stack.extend(v.keys())
            stack.extend(v.values())
        elif issubclass(kind, (list, tuple, set, frozenset)):
            stack.extend(v)
        elif kind is Namespace:
            stack.append(object.__getattribute__(v, "_Namespace__attrs"))
        else:
            total += 12
    return total


def _too_big(what: str, size: int) -> TemplateLimitError:
    return TemplateLimitError(
        f"{what} would be about {size:,} characters, over the limit of {TEMPLATE_MAX_CHARS:,} "
        "(TEMPLATE_MAX_CHARS)"
    )


def _check_size(value: Any, what: str = "a value") -> Any:
    tick()  # every hook comes through here: filters, calls, operators, outputs
    size = _size(value)
    if size > TEMPLATE_MAX_CHARS:
        raise _too_big(what, size)
    return value


def _check_estimate(what: str, size: int) -> None:
    if size > TEMPLATE_MAX_CHARS:
        raise _too_big(what, size)


def _bounded_items(items: Iterator[Any]) -> Iterator[Any]:
    """A lazy sequence (``map``, ``select``…) drawn with a running size budget, so that ``|list``,
    ``|join`` or ``|sort`` of a generator cannot materialise more than the limit."""
    total = 0
    for item in items:
        total += _size(item) + 2
        if total > TEMPLATE_MAX_CHARS:
            raise _too_big("a generated sequence", total)
        yield item


def _materialise(value: Any) -> Any:
    return list(_bounded_items(value)) if isinstance(value, Iterator) else value


def _check_numbers(values: Any) -> None:
    for v in values:
        if isinstance(v, int) and not isinstance(v, bool) and abs(v) > TEMPLATE_MAX_CHARS:
            raise TemplateLimitError(f"the number {v} is over the template limit of {TEMPLATE_MAX_CHARS:,}")


_NUMBER = re.compile(r"\d+")


def _check_format_string(fmt: str, args: Any) -> None:
    """``'%999999999s' % x``, ``'{:>999999999}'.format(x)`` and repeated fields: widths in the
    format string and each argument's size times the number of fields, before formatting."""
    for digits in _NUMBER.findall(fmt):
        if len(digits) > 7 or int(digits) > TEMPLATE_MAX_CHARS:
            raise TemplateLimitError(f"a width or number in the format string {fmt[:40]!r} is over the limit")
    fields = fmt.count("%") + fmt.count("{")
    _check_estimate("the formatted string", len(fmt) + fields * max((_size(a) for a in args), default=0))


# -- operators, calls and filters -------------------------------------------------------------


def _is_sized(v: Any) -> bool:
    return isinstance(v, (str, bytes, list, tuple))


def _check_binop(op: str, left: Any, right: Any) -> None:
    ints = [isinstance(v, int) and not isinstance(v, bool) for v in (left, right)]
    if op == "*":
        if all(ints):
            if abs(left).bit_length() + abs(right).bit_length() > _MAX_INT_BITS:
                raise TemplateLimitError("an integer product is over the template limit")
        elif ints[0] and _is_sized(right):
            _check_estimate("a repeated value", max(left, 0) * _size(right))
        elif ints[1] and _is_sized(left):
            _check_estimate("a repeated value", max(right, 0) * _size(left))
    elif op == "**" and all(ints) and right > 0 and abs(left) > 1:
        if abs(left).bit_length() * right > _MAX_INT_BITS:
            raise TemplateLimitError("a power is over the template limit")
    elif op == "+" and _is_sized(left) and _is_sized(right):
        _check_estimate("a sum", _size(left) + _size(right))
    elif op == "%" and isinstance(left, str):
        args = right if isinstance(right, tuple) else (right,)
        _check_numbers(args)
        _check_format_string(left, args)


def _replaced_size(s: str, old: str, new: str, count: Any = None) -> int:
    n = s.count(old) if old else len(s) + 1
    if isinstance(count, int) and count >= 0:
        n = min(n, count)
    return len(s) + n * max(0, len(new) - len(old))


def _joined_size(items: list[Any], sep: Any) -> int:
    total = len(str(sep)) * max(0, len(items) - 1)
    for item in items:
        total += _size(item)
        if total > TEMPLATE_MAX_CHARS:
            break
    return total


def _check_method(obj: Any, args: list[Any], kwargs: dict[str, Any]) -> None:
    """Methods of str/bytes whose result can be much larger than their inputs."""
    owner = getattr(obj, "__self__", None)
    if not isinstance(owner, (str, bytes)):
        return
    name = getattr(obj, "__name__", "")
    if name == "replace" and len(args) >= 2:
        _check_estimate("str.replace", _replaced_size(str(owner), str(args[0]), str(args[1]), (args[2:] or [None])[0]))
    elif name == "join" and args:
        items = list(_materialise(args[0]))
        args[0] = items  # a generator is consumed here: hand the method the list
        _check_estimate("str.join", _joined_size(items, owner))
    elif name == "expandtabs":
        tab = (list(args) + list(kwargs.values()) or [8])[0]
        _check_estimate("str.expandtabs", len(owner) + owner.count("\t" if isinstance(owner, str) else b"\t")
                        * (tab if isinstance(tab, int) else 8))
    elif name == "translate" and args and isinstance(args[0], dict):
        longest = max((_size(v) for v in args[0].values()), default=1)
        _check_estimate("str.translate", len(owner) * max(1, longest))


def _filter_value(args: tuple, skip: int) -> Any:
    return args[skip] if len(args) > skip else ""


def _check_filter(name: str, args: list[Any], kwargs: dict[str, Any], skip: int) -> None:
    """Before calling a filter: its parameters, and a size estimate for those that multiply."""
    _check_numbers(args[skip + 1:])
    _check_numbers(kwargs.values())
    value = _filter_value(tuple(args), skip)
    params = args[skip + 1:]

    def param(i: int, key: str, default: Any) -> Any:
        return params[i] if len(params) > i else kwargs.get(key, default)

    if name == "join":
        items = list(_materialise(value))
        args[skip] = items  # a generator is consumed here: hand the filter the list
        _check_estimate("the joined string", _joined_size(items, param(0, "d", "")))
    elif name == "replace":
        _check_estimate("the replaced string", _replaced_size(str(value), str(param(0, "old", "")),
                                                                str(param(1, "new", "")), param(2, "count", None)))
    elif name == "indent":
        width = param(0, "width", 4)
        pad = width if isinstance(width, int) else _size(width)
        text = str(value)
        _check_estimate("the indented string", len(text) + (text.count("\n") + 1) * max(0, pad))
    elif name == "wordwrap":
        width = param(0, "width", 79)
        wrap = param(2, "wrapstring", None)
        text = str(value)
        lines = len(text) // max(1, width if isinstance(width, int) else 1) + 1
        _check_estimate("the wrapped string", len(text) + lines * len(str(wrap or "\n")))
    elif name == "format":
        _check_format_string(str(value), list(params) + list(kwargs.values()))
    elif name == "tojson":
        indent = param(0, "indent", None)
        if isinstance(indent, int) and indent > _MAX_JSON_INDENT:
            raise TemplateLimitError(f"tojson indent {indent} is over the limit of {_MAX_JSON_INDENT}")
    elif name == "sum":
        start = param(1, "start", 0)
        if not isinstance(start, (int, float)):
            items = list(_materialise(value))
            args[skip] = items
            _check_estimate("the sum", _size(start) + sum(_size(i) for i in items))


def _bounded_filter(name: str, func: Callable[..., Any]) -> Callable[..., Any]:
    skip = 1 if getattr(func, "jinja_pass_arg", None) is not None else 0

    @functools.wraps(func)  # keeps ``jinja_pass_arg`` (pass_context / pass_environment)
    def bounded(*args: Any, **kwargs: Any) -> Any:
        args_list = list(args)
        if len(args_list) > skip and isinstance(args_list[skip], Iterator):
            args_list[skip] = _bounded_items(args_list[skip])
        _check_size(_filter_value(args, skip), f"the input of filter {name!r}")
        _check_filter(name, args_list, kwargs, skip)
        result = func(*args_list, **kwargs)
        return _check_size(result, f"the result of filter {name!r}")

    return bounded


# -- the environment --------------------------------------------------------------------------


def _tick(lineno: int | None) -> Any:
    return nodes.Call(nodes.EnvironmentAttribute("tick"), [], [], None, None, lineno=lineno)


def _ticking(body: list[Any], lineno: int | None) -> list[Any]:
    return [nodes.ExprStmt(_tick(lineno), lineno=lineno), *body]


class _BoundedCodeGenerator(CodeGenerator):
    """Loops and macros read the clock on every turn (``environment.tick()``, which a template
    cannot shadow); ``a ~ b`` joins through the environment, so its size is checked first."""

    def visit_For(self, node: Any, frame: Any) -> None:
        node.body = _ticking(node.body, node.lineno)
        if node.test is not None:  # {% for x in xs if test %}: a loop that may never reach its body
            node.test = nodes.Or(_tick(node.lineno), node.test, lineno=node.lineno)
        super().visit_For(node, frame)

    def visit_Macro(self, node: Any, frame: Any) -> None:
        node.body = _ticking(node.body, node.lineno)
        super().visit_Macro(node, frame)

    def visit_CallBlock(self, node: Any, frame: Any) -> None:
        node.body = _ticking(node.body, node.lineno)
        super().visit_CallBlock(node, frame)

    @optimizeconst
    def visit_Concat(self, node: Any, frame: Any) -> None:
        if frame.eval_ctx.volatile:
            markup = "context.eval_ctx.volatile"
        else:
            markup = "True" if frame.eval_ctx.autoescape else "False"
        self.write("environment.checked_join((")
        for arg in node.nodes:
            self.visit(arg, frame)
            self.write(", ")
        self.write(f"), {markup})")


def _checked_concat(parts: Any) -> str:
    """Joins rendered buffers (``{% set %}`` blocks, macros, ``caller()``)."""
    parts = list(parts)
    _check_estimate("a rendered block", sum(len(p) for p in parts))
    return "".join(parts)


def _finalize(value: Any) -> Any:
    """Every ``{{ … }}`` value, before it becomes text."""
    return _check_size(value, "an output value")


class BoundedSandbox(ImmutableSandboxedEnvironment):
    intercepted_binops = frozenset({"*", "**", "%", "+"})
    tick = staticmethod(tick)
    code_generator_class = _BoundedCodeGenerator
    concat = staticmethod(_checked_concat)  # type: ignore[assignment]

    def __init__(self) -> None:
        super().__init__(undefined=StrictUndefined, keep_trailing_newline=True, autoescape=False,
                         finalize=_finalize)
        self.globals.pop("lipsum", None)  # lorem ipsum of any length: no use in a prompt
        self.filters = {name: _bounded_filter(name, f) for name, f in self.filters.items()}

    @staticmethod
    def checked_join(parts: tuple[Any, ...], markup: bool) -> str:
        _check_estimate("a ~ concatenation", sum(_size(p) for p in parts))
        return markup_join(parts) if markup else str_join(parts)

    def call_binop(self, context: Any, operator: str, left: Any, right: Any) -> Any:
        _check_binop(operator, left, right)
        return _check_size(super().call_binop(context, operator, left, right), f"the result of {operator!r}")

    def call(__self, __context: Any, __obj: Any, *args: Any, **kwargs: Any) -> Any:
        tick()
        _check_numbers(args)
        _check_numbers(kwargs.values())
        args_list = list(args)
        _check_method(__obj, args_list, kwargs)
        result = super().call(__context, __obj, *args_list, **kwargs)
        return _check_size(result, "the result of a call")

    def wrap_str_format(self, value: Any) -> Callable[..., str] | None:
        wrapped = super().wrap_str_format(value)
        if wrapped is None:
            return None
        fmt = value.__self__

        @functools.wraps(wrapped)
        def bounded(*args: Any, **kwargs: Any) -> str:
            _check_numbers(args)
            _check_numbers(kwargs.values())
            values = list(args) + list(kwargs.values())
            if value.__name__ == "format_map" and args and isinstance(args[0], dict):
                values = list(args[0].values())
            _check_format_string(fmt, values)
            return wrapped(*args, **kwargs)

        return bounded


_ENV = BoundedSandbox()


# -- rendering --------------------------------------------------------------------------------


@functools.lru_cache(maxsize=256)  # compiling costs ~1 ms; templates repeat for every document
def _compile(source: str) -> Any:
    return _ENV.from_string(source)


def _render(source: str, context: dict[str, Any]) -> str:
    with _time_limit(TEMPLATE_TIME_LIMIT_S):
        template = _compile(source)
        out: list[str] = []
        size = 0
        for chunk in template.generate(**context):
            size += len(chunk)
            if size > TEMPLATE_MAX_CHARS:
                raise _too_big("the rendered text", size)
            out.append(chunk)
    return "".join(out)


def describe(exc: BaseException) -> str:
    """One line for a template failure."""
    if isinstance(exc, TemplateLimitError):
        return f"template stopped: {exc}"
    if isinstance(exc, SecurityError):
        return f"template refused by the sandbox: {exc}"
    if isinstance(exc, TemplateSyntaxError):
        return f"bad jinja2 template: {exc.message} (template line {exc.lineno})"
    if isinstance(exc, TemplateError):
        return f"bad jinja2 template: {exc}"
    if isinstance(exc, RecursionError):
        return "template failed: it nests or recurses too deeply"
    if isinstance(exc, MemoryError):
        return "template failed: out of memory"
    return f"template failed: {type(exc).__name__}: {exc}"


def render_template(source: str, **context: Any) -> str:
    """The rendered text; every failure (syntax, sandbox, limits, errors at render time) is a
    ``TemplateProblem`` with a one-line message."""
    try:
        return _render(source, context)
    except (Exception, MemoryError, RecursionError) as exc:
        raise TemplateProblem(describe(exc)) from exc
