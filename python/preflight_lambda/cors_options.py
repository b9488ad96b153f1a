"""Options of ``with_cors``: defaults and validation, the Python twin of src/lib/lambda-cors-options.ts.

Validation is hand-written (standard library only; this package is copied into users' functions). Every problem is
collected and reported at once, each saying what is wrong and how to fix it, in the same words as the TypeScript
``withCors`` except that options are named the Python way (``allow_headers`` for ``allowHeaders``).
"""

import ipaddress
import json
import re
from urllib.parse import unquote

# What Access-Control-Allow-Headers of a preflight answer lists unless allow_headers says otherwise: the value API
# Gateway's console "Enable CORS" writes, so a function moved behind with_cors keeps working.
DEFAULT_ALLOW_HEADERS = ("Content-Type", "X-Amz-Date", "Authorization", "X-Api-Key", "X-Amz-Security-Token")

# The console's Allow-Methods for an ANY method: a wrapper cannot know which methods the routes declare.
DEFAULT_ALLOW_METHODS = ("DELETE", "GET", "HEAD", "OPTIONS", "PATCH", "POST", "PUT")

# Seconds; 600 because Safari caps at 10 minutes, so a longer value would only hold in Chromium (2 h) and Firefox.
DEFAULT_MAX_AGE = 600

# Lambda environment variable read (once, when with_cors is called) for the allowed origins.
DEFAULT_ORIGINS_ENV_VAR = "CORS_ALLOWED_ORIGINS"

# API Gateway stage variable read (on every request, from event["stageVariables"]) for the allowed origins.
DEFAULT_ORIGINS_STAGE_VARIABLE = "corsAllowedOrigins"

KNOWN_KEYS = (
    "origins",
    "credentials",
    "allow_headers",
    "allow_methods",
    "expose_headers",
    "max_age",
    "origins_env_var",
    "origins_stage_variable",
)

# Names other CORS libraries use (compared without case or underscores), so a ported config is pointed at ours.
_ALIASES = {
    "origin": "origins",
    "alloworigin": "origins",
    "alloworigins": "origins",
    "allowedorigins": "origins",
    "allowcredentials": "credentials",
    "headers": "allow_headers",
    "allowedheaders": "allow_headers",
    "methods": "allow_methods",
    "allowedmethods": "allow_methods",
    "exposedheaders": "expose_headers",
    "maxageseconds": "max_age",
}

_SPECIAL_SCHEMES = {"http": 80, "https": 443, "ws": 80, "wss": 443, "ftp": 21}
_STANDARD_METHODS = set(DEFAULT_ALLOW_METHODS)
_FORBIDDEN_METHODS = {"CONNECT", "TRACE", "TRACK"}
_TOKEN = re.compile(r"^[!#$%&'*+.^_`|~0-9A-Za-z-]+$")
_FORBIDDEN_HOST = re.compile(r"[\x00-\x20#%/:<>?@\[\\\]^|\x7f]")


class CorsOptionsError(ValueError):
    """Raised by with_cors at wrap time when its configuration is invalid; ``issues`` lists every problem."""

    def __init__(self, issues):
        super().__init__(format_issues("with_cors: invalid CORS configuration", issues))
        self.issues = tuple(issues)


class Policy(object):
    """Which origins a request may come from: every origin (``any``), or an exact set."""

    __slots__ = ("any", "origins")

    def __init__(self, any_origin=False, origins=()):
        self.any = any_origin
        self.origins = frozenset(origins)


def issue(path, message):
    return {"path": tuple(path), "message": message}


def format_path(path):
    out = ""
    for part in path:
        if isinstance(part, int):
            out += "[%d]" % part
        else:
            out += part if out == "" else "." + part
    return out


def format_issues(title, issues):
    count = "1 issue" if len(issues) == 1 else "%d issues" % len(issues)
    lines = ["%s (%s):" % (title, count)]
    for i in issues:
        lines.append("\u2716 " + i["message"])
        if i["path"]:
            lines.append("  \u2192 at " + format_path(i["path"]))
    return "\n".join(lines)


def describe(value):
    if value is None:
        return "None"
    if isinstance(value, (list, tuple)):
        return "a list"
    if isinstance(value, dict):
        return "a dict"
    if isinstance(value, (bool, int, float, str)):
        return "%s %s" % (type(value).__name__, json.dumps(value) if isinstance(value, str) else repr(value))
    return "a " + type(value).__name__


def q(value):
    return json.dumps(value, ensure_ascii=False)


# ---------------------------------------------------------------------------------------------------------------
# Origins: what browsers put in the Origin header (the WHATWG URL serialization of scheme://host[:port]).


def _ipv4_number(part):
    if part == "":
        raise ValueError("empty")
    if part[:2].lower() == "0x":
        return int(part[2:] or "0", 16)
    if len(part) > 1 and part[0] == "0":
        return int(part[1:], 8)
    if not part.isdigit():
        raise ValueError(part)
    return int(part)


def _ends_in_number(host):
    parts = host.split(".")
    if parts[-1] == "" and len(parts) > 1:
        parts.pop()
    last = parts[-1]
    return last.isdigit() or bool(re.match(r"^0[xX][0-9A-Fa-f]*$", last))


def _ipv4(host):
    """The WHATWG IPv4 parser: 1 to 4 parts, each decimal, 0x-hex or 0-octal; the last fills the remaining bytes."""
    parts = host.split(".")
    if parts[-1] == "" and len(parts) > 1:
        parts.pop()
    if len(parts) > 4:
        raise ValueError(host)
    numbers = [_ipv4_number(p) for p in parts]
    if any(n > 255 for n in numbers[:-1]) or numbers[-1] >= 256 ** (5 - len(numbers)):
        raise ValueError(host)
    value = numbers[-1]
    for i, n in enumerate(numbers[:-1]):
        value += n * 256 ** (3 - i)
    return ".".join(str((value >> shift) & 255) for shift in (24, 16, 8, 0))


def _canonical_special(scheme, host_port):
    """scheme://host[:port] as a browser serializes it, or None when the host or port is not valid."""
    if host_port.startswith("["):
        end = host_port.find("]")
        if end < 0:
            return None
        host, rest = host_port[: end + 1], host_port[end + 1 :]
        if rest and not rest.startswith(":"):
            return None
        port = rest[1:] if rest else None
        try:
            host = "[" + ipaddress.IPv6Address(host[1:-1]).compressed + "]"
        except ValueError:
            return None
    else:
        host, sep, port = host_port.rpartition(":")
        if not sep:
            host, port = host_port, None
        host = unquote(host)
        try:
            host = host.encode("idna").decode("ascii").lower() if not host.isascii() else host.lower()
        except UnicodeError:
            return None
        if host == "" or _FORBIDDEN_HOST.search(host):
            return None
        if _ends_in_number(host):
            try:
                host = _ipv4(host)
            except ValueError:
                return None
    if port:
        if not port.isdigit() or int(port) > 65535:
            return None
        port = int(port)
        if port == _SPECIAL_SCHEMES[scheme]:
            port = None
    return "%s://%s%s" % (scheme, host, ":%d" % port if port is not None else "")


def check_origin(value):
    """Returns what is wrong with a configured origin and the corrected value, or None when it is fine."""
    if not isinstance(value, str):
        return 'Expected an origin string such as "https://app.example.com", received %s.' % describe(value)
    if value == "":
        return 'Empty origin. Fix: remove it, or write one such as "https://app.example.com".'
    if value.strip() != value:
        return "%s has leading or trailing whitespace, which an Origin header never has. Fix: use %s." % (q(value), q(value.strip()))
    if value == "*":
        return (
            "\"*\" inside a list is not supported: it would make the list pointless. "
            "Fix: use origins='*' on its own (without credentials), or list exact origins."
        )
    if value.lower() == "null":
        return (
            '"null" is the origin of sandboxed iframes, file: pages and data: URLs; allowing it lets any such document '
            "read your responses. Fix: serve the page from a real origin and list that."
        )
    match = re.match(r"^([A-Za-z][A-Za-z0-9+.-]*)://(.*)$", value, re.S)
    if not match:
        broken = re.match(r"^([A-Za-z][A-Za-z0-9+.-]*):/*(?=[^\d/])", value)
        rest = value[broken.end() :] if broken else value
        host = re.split(r"[/?#]", rest.lstrip("/"))[0]
        if broken:
            guess = "%s://%s" % (broken.group(1).lower(), host.lower())
            return '%s is malformed: the scheme must be followed by "://". Fix: use %s.' % (q(value), q(guess))
        return (
            "%s has no scheme; browsers send the Origin header as scheme://host[:port]. Fix: use %s "
            "(or the http:// form for a local server)." % (q(value), q("https://" + host))
        )
    scheme, rest = match.group(1), match.group(2)
    cut = re.search(r"[/?#]", rest)
    host_port = rest if cut is None else rest[: cut.start()]
    tail = "" if cut is None else rest[cut.start() :]
    if "*" in host_port:
        return (
            "%s is a wildcard pattern; with_cors matches origins exactly. Fix: list each origin, e.g. "
            '"https://app.example.com", "https://admin.example.com".' % q(value)
        )
    lower_scheme = scheme.lower()
    if lower_scheme in ("file", "data", "blob", "about"):
        return '%s can never match: pages loaded from %s: URLs send "Origin: null". Fix: serve the page over http(s) and list that origin.' % (
            q(value),
            lower_scheme,
        )

    reasons = []
    if tail == "/":
        reasons.append("it has a trailing slash")
    elif tail != "":
        reasons.append("it has a path, query or fragment (%s)" % q(tail))
    at = host_port.rfind("@")
    bare = host_port if at < 0 else host_port[at + 1 :]
    if at >= 0:
        reasons.append("it contains user credentials")
    if host_port == "" or bare == "":
        return '%s has no host. Fix: write scheme://host[:port], e.g. "https://app.example.com".' % q(value)

    if lower_scheme in _SPECIAL_SCHEMES:
        canonical = _canonical_special(lower_scheme, bare)
        if canonical is None:
            return (
                "%s is not a valid origin: %s is not a valid host[:port]. Fix: write scheme://host[:port] with a port in "
                '1..65535, e.g. "https://app.example.com".' % (q(value), q(bare))
            )
        given = "%s://%s" % (scheme, bare)
        if canonical != given:
            explained = given.lower()
            if explained != given:
                reasons.append("it has uppercase letters (browsers send origins in lowercase)")
            port = re.search(r":(\d+)$", bare)
            if port and not re.search(r":\d+$", canonical[len(lower_scheme) + 3 :]):
                reasons.append("it has the default port :%s, which browsers leave out" % port.group(1))
                explained = explained[: -(len(port.group(1)) + 1)]
            if explained != canonical:
                reasons.append("browsers serialize it as %s" % q(canonical))
    else:
        # Non-special schemes (capacitor://localhost, chrome-extension://<id>) keep an opaque host; browsers send
        # it verbatim, so only the shape is checked.
        if not re.match(r"^[A-Za-z0-9.-]+(:\d{1,5})?$", bare):
            return "%s is not a valid origin: %s is not a valid host[:port]. Fix: write scheme://host[:port]." % (q(value), q(bare))
        canonical = "%s://%s" % (lower_scheme, bare)
        if scheme != lower_scheme:
            reasons.append("its scheme has uppercase letters (browsers send it in lowercase)")
    if not reasons:
        return None
    return "%s is not an origin as browsers send it: %s. Fix: use %s." % (q(value), "; ".join(reasons), q(canonical))


def parse_origin_list(raw, kind, name):
    """Parses a comma-separated origin list from an environment or stage variable.

    Returns None for a value with no entries (treated as "not set"), else ``(policy, issues)``.
    """
    label = ("environment variable %s" if kind == "env" else "stage variable %s") % name
    present = [(entry.strip(), index) for index, entry in enumerate(raw.split(",")) if entry.strip() != ""]
    if not present:
        return None
    if len(present) == 1 and present[0][0] == "*":
        return Policy(any_origin=True), []
    issues = []
    origins = set()
    for entry, index in present:
        path = (kind, name, index)
        if entry == "*":
            issues.append(
                issue(path, 'In %s, "*" must be the whole value (allow every origin), not one entry of a list. Fix: set it to "*" alone, or list exact origins.' % label)
            )
            continue
        problem = check_origin(entry)
        if problem is not None:
            issues.append(issue(path, "In %s: %s" % (label, problem)))
        else:
            origins.add(entry)
    return Policy(origins=origins), issues


def credentials_with_any_origin_message(where):
    return (
        "credentials=True cannot be combined with %s: browsers refuse \"Access-Control-Allow-Origin: *\" on "
        "credentialed requests (API Gateway rejects the same HTTP API setting: \"allow-credentials is not supported if "
        "'allow-origin' is *\"). Fix: list the exact origins that may send credentials, e.g. "
        "origins=['https://app.example.com'], or drop credentials." % where
    )


def _header_list(value, key, issues):
    if isinstance(value, str):
        items = [s.strip() for s in value.split(",") if s.strip() != ""]
        from_string = True
    elif isinstance(value, (list, tuple)):
        items = list(value)
        from_string = False
    else:
        issues.append(issue([key], "Expected a list of strings or a comma-separated string, received %s." % describe(value)))
        return None
    if not items:
        why = {
            "allow_methods": "preflights for PUT, DELETE, PATCH \u2026 would fail",
            "allow_headers": "preflights asking for any header would fail",
        }.get(key, "it exposes nothing")
        issues.append(issue([key], "Empty list: %s. Fix: list the names, or leave %s out for the default." % (why, key)))
        return None
    out = []
    for index, item in enumerate(items):
        path = [key] if from_string else [key, index]
        if not isinstance(item, str) or not _TOKEN.match(item):
            shown = q(item) if isinstance(item, str) else describe(item)
            what = "method" if key == "allow_methods" else "header name"
            issues.append(issue(path, "%s is not a valid %s (letters, digits and !#$%%&'*+.^_`|~- only, no spaces or commas inside an entry)." % (shown, what)))
            continue
        out.append(item)
    return out


def _name_option(value, key, fallback, pattern, what, issues):
    if value is None:
        return fallback
    if value is False:
        return None
    if isinstance(value, str) and re.match(pattern, value):
        return value
    issues.append(issue([key], "Expected %s or False, received %s." % (what, describe(value))))
    return None


class CompiledOptions(object):
    __slots__ = (
        "origins",
        "credentials",
        "allow_headers",
        "allow_methods",
        "expose_headers",
        "max_age",
        "origins_env_var",
        "origins_stage_variable",
    )


def compile_options(options, env):
    """Validates options and reads the origins environment variable; raises CorsOptionsError listing every problem."""
    issues = []
    known_normalized = {k.replace("_", ""): k for k in KNOWN_KEYS}
    for key in options:
        if key in KNOWN_KEYS:
            continue
        normalized = key.lower().replace("_", "").replace("-", "")
        suggestion = _ALIASES.get(normalized) or known_normalized.get(normalized)
        hint = " Did you mean %s?" % q(suggestion) if suggestion else " Known keys: %s." % ", ".join(KNOWN_KEYS)
        issues.append(issue([key], "Unrecognized key %s.%s" % (q(key), hint)))

    credentials = False
    if options.get("credentials") is not None:
        if not isinstance(options["credentials"], bool):
            issues.append(issue(["credentials"], "Expected True or False, received %s." % describe(options["credentials"])))
        else:
            credentials = options["credentials"]

    origins = None
    given = options.get("origins")
    if given is not None:
        if given == "*":
            origins = Policy(any_origin=True)
            if credentials:
                issues.append(issue(["credentials"], credentials_with_any_origin_message("origins='*'")))
        elif isinstance(given, str):
            issues.append(issue(["origins"], "Expected a list of origins or '*', received the string %s. Fix: origins=[%s]." % (q(given), q(given))))
        elif not isinstance(given, (list, tuple, set, frozenset)):
            issues.append(issue(["origins"], "Expected a list of origins or '*', received %s." % describe(given)))
        elif len(given) == 0:
            issues.append(
                issue(
                    ["origins"],
                    'Empty list: no origin would be allowed. Fix: list origins such as "https://app.example.com", or leave '
                    "origins out to configure them through the environment or a stage variable.",
                )
            )
        else:
            allowed = set()
            for index, origin in enumerate(given):
                problem = check_origin(origin)
                if problem is not None:
                    issues.append(issue(["origins", index], problem))
                else:
                    allowed.add(origin)
            origins = Policy(origins=allowed)

    allow_headers = list(DEFAULT_ALLOW_HEADERS) if options.get("allow_headers") is None else _header_list(options["allow_headers"], "allow_headers", issues)
    allow_methods = list(DEFAULT_ALLOW_METHODS) if options.get("allow_methods") is None else _header_list(options["allow_methods"], "allow_methods", issues)
    expose_headers = None if options.get("expose_headers") is None else _header_list(options["expose_headers"], "expose_headers", issues)

    for index, method in enumerate(allow_methods or []):
        upper = method.upper()
        if upper in _FORBIDDEN_METHODS:
            issues.append(issue(["allow_methods", index], "%s is a forbidden method: browsers refuse to send it. Fix: remove it." % q(method)))
        elif upper in _STANDARD_METHODS and method != upper:
            issues.append(
                issue(
                    ["allow_methods", index],
                    "%s is not uppercase; browsers send %s and compare Access-Control-Allow-Methods case-sensitively. Fix: use %s." % (q(method), q(upper), q(upper)),
                )
            )
    if credentials:
        for key, values in (("allow_headers", allow_headers), ("allow_methods", allow_methods), ("expose_headers", expose_headers)):
            if values and "*" in values:
                issues.append(
                    issue(
                        [key],
                        '"*" is only a wildcard for requests without credentials; with credentials=True browsers read it as a literal name "*". Fix: list the names explicitly.',
                    )
                )
    for index, name in enumerate(expose_headers or []):
        if re.match(r"^set-cookie2?$", name, re.I):
            issues.append(issue(["expose_headers", index], "%s is never exposed to scripts by browsers, whatever the server says. Fix: remove it." % q(name)))

    max_age = DEFAULT_MAX_AGE
    given_age = options.get("max_age")
    if given_age is not None:
        if isinstance(given_age, bool) or not isinstance(given_age, int) or given_age < 0 or given_age > 86400:
            issues.append(
                issue(
                    ["max_age"],
                    "Expected an integer number of seconds from 0 to 86400, received %s. Browsers cap it anyway (Chromium 7200, Safari 600)." % describe(given_age),
                )
            )
        else:
            max_age = given_age

    env_var = _name_option(
        options.get("origins_env_var"),
        "origins_env_var",
        DEFAULT_ORIGINS_ENV_VAR,
        r"^[A-Za-z][A-Za-z0-9_]*$",
        "an environment variable name (a letter, then letters, digits, underscores)",
        issues,
    )
    stage_variable = _name_option(
        options.get("origins_stage_variable"),
        "origins_stage_variable",
        DEFAULT_ORIGINS_STAGE_VARIABLE,
        r"^[A-Za-z0-9_]+$",
        "a stage variable name (letters, digits, underscores)",
        issues,
    )

    if env_var is not None and env.get(env_var) is not None:
        parsed = parse_origin_list(env[env_var], "env", env_var)
        if parsed is not None:
            policy, problems = parsed
            if problems:
                issues.extend(problems)
            else:
                origins = policy
                if credentials and policy.any and given != "*":
                    issues.append(issue(["env", env_var], credentials_with_any_origin_message("%s=*" % env_var)))

    if origins is None and stage_variable is None and not issues:
        issues.append(
            issue(
                ["origins"],
                "No allowed origins: origins is not set, %s and stage variables are ignored, so every CORS request would be refused. "
                "Fix: pass origins=['https://app.example.com'] (or '*')."
                % ("the environment is ignored" if env_var is None else "%s is not set" % env_var),
            )
        )

    if issues:
        raise CorsOptionsError(issues)
    compiled = CompiledOptions()
    compiled.origins = origins
    compiled.credentials = credentials
    compiled.allow_headers = ",".join(allow_headers or [])
    compiled.allow_methods = ",".join(allow_methods or [])
    compiled.expose_headers = None if expose_headers is None else ",".join(expose_headers)
    compiled.max_age = str(max_age)
    compiled.origins_env_var = env_var
    compiled.origins_stage_variable = stage_variable
    return compiled
