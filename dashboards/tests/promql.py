"""Small PromQL helpers shared by the dashboard checks and the end-to-end check (stdlib only).

Not a PromQL parser: a tokenizer good enough to find the series selectors of an expression
(metric name plus label matchers), which is what the checks need to know which metrics an
expression reads. The real parser is Prometheus's: the end-to-end check sends every expression to
a running server, which rejects anything malformed.
"""

import re

# Words that can stand where a metric name could, but are not one.
KEYWORDS = {
    "and", "or", "unless", "by", "without", "on", "ignoring", "group_left", "group_right",
    "bool", "offset", "inf", "nan", "atan2",
}
# Words followed by a parenthesised list of label names (not of expressions).
GROUPING = {"by", "without", "on", "ignoring", "group_left", "group_right"}
# Aggregations, which may be followed by their grouping before their argument: `sum by (a) (x)`.
AGGREGATIONS = {
    "sum", "min", "max", "avg", "group", "stddev", "stdvar", "count", "count_values", "bottomk",
    "topk", "quantile",
}

_TOKEN = re.compile(
    r"""
    (?P<space>\s+|\#[^\n]*)
  | (?P<string>"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|`[^`]*`)
  | (?P<number>0[xX][0-9a-fA-F]+|(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?(?:ms|[smhdwy])?(?:\d+(?:ms|[smhdwy]))*)
  | (?P<ident>[A-Za-z_:][A-Za-z0-9_:]*)
  | (?P<variable>\$\{[^}]*\}|\$[A-Za-z_][A-Za-z0-9_]*)
  | (?P<op>=~|!~|!=|==|<=|>=|[-+*/%^<>=,(){}\[\]@])
    """,
    re.VERBOSE,
)


class PromQLSyntaxError(ValueError):
    pass


def tokenize(expr):
    """Returns a list of (kind, text) tokens, whitespace and comments dropped."""
    tokens, pos = [], 0
    while pos < len(expr):
        m = _TOKEN.match(expr, pos)
        if not m:
            raise PromQLSyntaxError(f"cannot tokenize at {pos}: {expr[pos:pos + 20]!r}")
        pos = m.end()
        if m.lastgroup != "space":
            tokens.append((m.lastgroup, m.group()))
    return tokens


def selectors(expr):
    """The series selectors of an expression, as text: `name{matchers}` or `{matchers}`.

    Each is a valid instant-vector expression on its own (ranges and offsets are left out).
    """
    toks = tokenize(expr)
    out, i, n = [], 0, len(toks)
    while i < n:
        kind, text = toks[i]
        nxt = toks[i + 1][1] if i + 1 < n else None
        if kind == "ident":
            low = text.lower()
            if nxt == "(":
                if low in GROUPING:  # skip the label list
                    i = _skip_balanced(toks, i + 1, "(", ")")
                    continue
                i += 1  # function or aggregation name
                continue
            if low in KEYWORDS or (low in AGGREGATIONS and nxt and nxt.lower() in ("by", "without")):
                i += 1
                continue
            if nxt == "{":
                end = _skip_balanced(toks, i + 1, "{", "}")
                out.append(text + _join(toks[i + 1:end]))
                i = end
                continue
            out.append(text)
            i += 1
            continue
        if text == "{":  # a selector without a metric name
            end = _skip_balanced(toks, i, "{", "}")
            out.append(_join(toks[i:end]))
            i = end
            continue
        if text == "[":  # range or subquery durations
            i = _skip_balanced(toks, i, "[", "]")
            continue
        i += 1
    return out


def metric_names(expr):
    """Metric names an expression reads (from selector names and `__name__="…"` matchers)."""
    names = set()
    for sel in selectors(expr):
        m = re.match(r"[A-Za-z_:][A-Za-z0-9_:]*", sel)
        if m:
            names.add(m.group())
        for eq in re.finditer(r"""__name__\s*=\s*["']([A-Za-z_:][A-Za-z0-9_:]*)["']""", sel):
            names.add(eq.group(1))
    return names


def _skip_balanced(toks, i, open_, close):
    """Index just past the token closing the bracket opened at toks[i]."""
    if toks[i][1] != open_:
        raise PromQLSyntaxError(f"expected {open_!r}, got {toks[i][1]!r}")
    depth = 0
    for j in range(i, len(toks)):
        if toks[j][1] == open_:
            depth += 1
        elif toks[j][1] == close:
            depth -= 1
            if depth == 0:
                return j + 1
    raise PromQLSyntaxError(f"unbalanced {open_!r}")


def _join(toks):
    out = ""
    for kind, text in toks:
        out += (", " if text == "," else text)
    return out


# Grafana ------------------------------------------------------------------------------------------

LABEL_VALUES = re.compile(r"^\s*label_values\(\s*(?:(?P<sel>.*),\s*)?(?P<label>[A-Za-z_][A-Za-z0-9_]*)\s*\)\s*$", re.S)


def grafana_expressions(dashboard):
    """Every PromQL expression of a classic Grafana dashboard, as (where, kind, expr).

    kind is "panel", "annotation" or "variable"; for a variable the expr is the selector inside
    `label_values(selector, label)` and `where` names the label too.
    """
    out = []
    for panel in walk_panels(dashboard.get("panels", [])):
        for t in panel.get("targets", []):
            if t.get("expr"):
                out.append((f"panel {panel.get('id')} {panel.get('title')!r} {t.get('refId')}", "panel", t["expr"]))
    for a in dashboard.get("annotations", {}).get("list", []):
        if a.get("expr"):
            out.append((f"annotation {a.get('name')!r}", "annotation", a["expr"]))
    for v in dashboard.get("templating", {}).get("list", []):
        if v.get("type") != "query":
            continue
        q = v.get("query")
        q = q.get("query") if isinstance(q, dict) else q
        m = LABEL_VALUES.match(q or "")
        if m:
            out.append((f"variable {v['name']} label {m.group('label')}", "variable", m.group("sel") or "up"))
        elif q:
            out.append((f"variable {v['name']}", "variable", q))
    return out


def walk_panels(panels):
    for p in panels:
        yield p
        yield from walk_panels(p.get("panels", []))  # collapsed rows


def substitute_grafana(expr, values=None):
    """Replaces Grafana's template variables so that Prometheus can run the expression."""
    values = dict(values or {})
    values.setdefault("__rate_interval", "1m")
    values.setdefault("__interval", "15s")
    values.setdefault("__range", "1h")
    values.setdefault("run", ".+")
    values.setdefault("layer", ".+")

    def repl(m):
        name = (m.group(1) or m.group(2)).split(":")[0]
        if name not in values:
            raise KeyError(f"no value for Grafana variable ${name} in {expr!r}")
        return values[name]

    return re.sub(r"\$\{([^}]+)\}|\$([A-Za-z_][A-Za-z0-9_]*)", repl, expr)
