"""The one matching of catalog operations to the official Python SDK's (linq-python) methods, shared by
scripts/gen-sdk-names (the SDK method table) and scripts/gen-shapes (the response shapes).

For every operation of the API catalog (Sources/LinqCore/APICatalog*.swift) it finds the SDK method
that performs it by HTTP method and path template (the SDK's resources call `self._post("/v3/...")`
or `self._get(path_template("/v3/chats/{chat_id}", ...))`); a method reports its path on a client
(`chats.messages.send`), its arguments (where each travels, read from the method's own source: the
dicts it passes as `body=` and `query=`, and the headers it sets; kinds from the type hints) and its
return annotation.

Importing it without the SDK re-executes the running script with the project's venv (.venv, made by
scripts/test).
"""
import ast
import glob
import inspect
import os
import re
import sys
import textwrap
import types
import typing

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
VENV = os.path.join(ROOT, ".venv")
SCRIPT = os.path.basename(sys.argv[0])

try:
    import linq
    from linq._resource import SyncAPIResource
except ImportError:
    if os.path.exists(os.path.join(VENV, "bin", "python")) and os.path.realpath(sys.prefix) != os.path.realpath(VENV):
        python = os.path.join(VENV, "bin", "python")
        os.execv(python, [python, os.path.abspath(sys.argv[0]), *sys.argv[1:]])
    sys.exit(f"{SCRIPT}: linq-python is not installed (run scripts/test once to make .venv)")

# Arguments every method takes that are not the API's.
REQUEST_OPTIONS = {"self", "extra_headers", "extra_query", "extra_body", "timeout"}


def fail(message):
    sys.exit(f"{SCRIPT}: {message}")


def template_key(method, path):
    """`POST /v3/chats/{}/messages`: a path template with its placeholders unnamed."""
    return method.upper() + " " + re.sub(r"\{[^}]*\}", "{}", path)


def placeholders(path):
    return re.findall(r"\{([^}]*)\}", path)


class Operation:
    """One catalog operation, read from its Swift source (`APIOperation(id: ..., method: ..., path: ...)`)."""

    def __init__(self, op_id, method, path):
        self.id, self.method, self.path = op_id, method, path


def catalog_operations():
    """Every catalog operation, in the catalog files' order."""
    found = []
    for name in sorted(glob.glob(os.path.join(ROOT, "Sources", "LinqCore", "APICatalog*.swift"))):
        for block in open(name, encoding="utf-8").read().split("APIOperation(")[1:]:
            op_id = re.search(r'\bid: "([^"]+)"', block)
            method = re.search(r'\bmethod: "([A-Z]+)"', block)
            path = re.search(r'\bpath: "([^"]+)"', block)
            if op_id and not (method and path):
                fail(f"cannot read the method and path of {op_id.group(1)} from the catalog")
            if op_id:
                found.append(Operation(op_id.group(1), method.group(1), path.group(1)))
    if not found:
        fail("no operations found in Sources/LinqCore/APICatalog*.swift")
    return found


class Method:
    """One public method of a sync SDK resource."""

    def __init__(self, python_path, function):
        self.python_path = python_path
        self.function = function
        self.tree = ast.parse(textwrap.dedent(inspect.getsource(function)))
        call = self._request_call()
        self.http_method = call.func.attr.lstrip("_").replace("get_api_list", "get").upper()
        for keyword in call.keywords:
            if keyword.arg == "method" and isinstance(keyword.value, ast.Constant):
                self.http_method = keyword.value.value.upper()
        self.path = self._path_of(call.args[0])
        self.return_hint = typing.get_type_hints(function).get("return")
        if self.return_hint is type(None):
            self.return_hint = None  # no body

    def _request_call(self):
        verbs = {"_get", "_post", "_put", "_patch", "_delete", "_get_api_list"}
        for node in ast.walk(self.tree):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in verbs:
                return node
        raise ValueError("no request call")

    @staticmethod
    def _path_of(node):
        if isinstance(node, ast.Call):  # path_template("/v3/...", chat_id=chat_id)
            node = node.args[0]
        if isinstance(node, ast.Constant):
            return node.value
        if isinstance(node, ast.JoinedStr):  # f"/v3/chats/{chat_id}"
            return "".join(
                part.value if isinstance(part, ast.Constant) else "{" + ast.unparse(part.value) + "}"
                for part in node.values)
        raise ValueError(f"unreadable path {ast.dump(node)}")

    def _dicts(self):
        """{python name: (location, wire name)} from the dicts passed as body=/query= and headers set."""
        table = {}
        for node in ast.walk(self.tree):
            if isinstance(node, ast.keyword) and node.arg in ("body", "query"):
                value = node.value
                if isinstance(value, ast.Call) and value.args and isinstance(value.args[0], ast.Dict):
                    aliases = self._aliases(value.args[1]) if len(value.args) > 1 else {}
                    self._read_dict(value.args[0], node.arg, table, aliases)
            if isinstance(node, ast.Call) and getattr(node.func, "id", "") == "strip_not_given":
                if node.args and isinstance(node.args[0], ast.Dict):
                    self._read_dict(node.args[0], "header", table)
        return table

    def _aliases(self, node):
        """{key: wire name} of a params TypedDict whose keys differ on the wire (`from_` → `from`)."""
        typed_dict = eval(ast.unparse(node), self.function.__globals__)
        aliases = {}
        for key, hint in typing.get_type_hints(typed_dict, include_extras=True).items():
            alias = property_alias(hint)
            if alias:
                aliases[key] = alias
        return aliases

    @staticmethod
    def _read_dict(node, location, table, aliases=None):
        for key, value in zip(node.keys, node.values):
            if isinstance(key, ast.Constant) and isinstance(value, ast.Name):
                table[value.id] = (location, (aliases or {}).get(key.value, key.value))

    def arguments(self, catalog_path):
        """Every API argument in signature order: python, wire (a path argument is named by the
        catalog's placeholder, `chatId`), location, kind, required, positional."""
        hints = typing.get_type_hints(self.function)
        travels = self._dicts()
        sdk_names = placeholders(self.path)
        catalog_names = placeholders(catalog_path)
        if len(sdk_names) != len(catalog_names):
            fail(f"{self.python_path}: path {self.path} vs catalog {catalog_path}")
        path_wire = dict(zip(sdk_names, catalog_names))
        result = []
        for name, parameter in inspect.signature(self.function).parameters.items():
            if name in REQUEST_OPTIONS:
                continue
            if name in path_wire:
                location, wire = "path", path_wire[name]
            elif name in travels:
                location, wire = travels[name]
            else:
                fail(f"{self.python_path}: cannot tell where argument {name} travels")
            result.append({
                "python": name, "wire": wire, "location": location, "kind": kind_of(hints[name]),
                "required": parameter.default is inspect.Parameter.empty,
                "positional": parameter.kind == inspect.Parameter.POSITIONAL_OR_KEYWORD,
            })
        return result

    def returns(self):
        """nothing (no body), page (one page of a list) or model."""
        if self.return_hint is None:
            return "nothing"
        origin = typing.get_origin(self.return_hint) or self.return_hint
        return "page" if "Pagination" in getattr(origin, "__name__", "") else "model"


def property_alias(hint):
    """The `PropertyInfo(alias=...)` of a TypedDict member's hint, if any."""
    for extra in getattr(hint, "__metadata__", ()):
        if getattr(extra, "alias", None):
            return extra.alias
    for argument in typing.get_args(hint):
        alias = property_alias(argument)
        if alias:
            return alias
    return None


def kind_of(hint):
    """string, integer, number, boolean, enumeration, strings, enumerations or object."""
    origin = typing.get_origin(hint)
    if origin in (typing.Union, types.UnionType):
        parts = [a for a in typing.get_args(hint) if a not in (type(None), linq.Omit)]
        kinds = {kind_of(a) for a in parts}
        if len(kinds) == 1:
            return kinds.pop()
        if kinds <= {"string", "datetime"}:
            return "string"
        return "object"
    if origin is typing.Literal:
        return "enumeration"
    if hint is str:
        return "string"
    if hint is bool:
        return "boolean"
    if hint is int:
        return "integer"
    if hint is float:
        return "number"
    if getattr(hint, "__name__", "") == "datetime":
        return "datetime"
    if origin in (list, typing.List) or str(origin) in ("<class 'collections.abc.Sequence'>",):
        element = kind_of(typing.get_args(hint)[0])
        if element == "string":
            return "strings"
        if element == "enumeration":
            return "enumerations"
    if getattr(hint, "__name__", "") == "SequenceNotStr":
        return "strings"
    return "object"


def sdk_methods():
    """Every public method of the sync client's resources that makes a request."""
    client = linq.LinqAPIV3(api_key="unused", base_url="http://127.0.0.1:9")
    methods = []

    def walk(resource, prefix):
        for name, member in inspect.getmembers(type(resource)):
            if name.startswith("_") or name.startswith("with_"):
                continue
            if type(member).__name__ == "cached_property":
                child = getattr(resource, name)
                if isinstance(child, SyncAPIResource):
                    walk(child, prefix + [name])
            elif inspect.isfunction(member) and prefix:
                try:
                    methods.append(Method(".".join(prefix + [name]), member))
                except ValueError:
                    pass  # no request (webhooks.unwrap)

    walk(client, [])
    return methods


def matched():
    """[(Operation, Method)]: each catalog operation with the one SDK method of the same HTTP method
    and path template, in the catalog's order."""
    by_key = {}
    for method in sdk_methods():
        by_key.setdefault(template_key(method.http_method, method.path), []).append(method)
    pairs = []
    for op in catalog_operations():
        found = by_key.get(template_key(op.method, op.path), [])
        if len(found) != 1:
            names = ", ".join(m.python_path for m in found) or "none"
            fail(f"{op.id} ({op.method} {op.path}): {len(found)} SDK methods ({names})")
        pairs.append((op, found[0]))
    return pairs


def write_or_check(output, text):
    """Writes `text` to `output`; with `--check`, exits 1 instead when the committed file differs."""
    relative = os.path.relpath(output, ROOT)
    if "--check" in sys.argv[1:]:
        current = open(output, encoding="utf-8").read() if os.path.exists(output) else ""
        if current != text:
            fail(f"{relative} differs from what linq-python {linq.__version__} gives: run scripts/{SCRIPT}")
        print(f"{relative} matches the SDK (linq-python {linq.__version__})")
        return
    with open(output, "w", encoding="utf-8") as out:
        out.write(text)
    print(f"wrote {relative} (linq-python {linq.__version__})")
