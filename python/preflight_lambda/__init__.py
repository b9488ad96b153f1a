"""preflight_lambda: ``with_cors``, a wrapper that gives every response of an API Gateway Lambda handler the right
CORS headers. The standard-library-only twin of ``withCors`` from the npm package ``preflight/lambda``, with the
same options (named the Python way) and the same behaviour.

Copy this directory next to your handler (it has no dependencies) and wrap the handler::

    from preflight_lambda import with_cors

    @with_cors(origins=["https://app.example.com", "http://localhost:3000"], credentials=True)
    def handler(event, context):
        return {"statusCode": 200, "body": json.dumps({"ok": True})}

- Allowed origin: Access-Control-Allow-Origin reflects the request's Origin (read case-insensitively from
  ``headers`` and ``multiValueHeaders``), with ``Vary: Origin``, ``Access-Control-Allow-Credentials: true`` with
  ``credentials`` and ``Access-Control-Expose-Headers`` when configured. With ``origins='*'`` the header is a
  constant ``*`` and no Vary is added.
- Other or missing origin: no Access-Control-Allow-* headers (the browser blocks the read), but still
  ``Vary: Origin``.
- Preflights (OPTIONS with Access-Control-Request-Method, for APIs that route OPTIONS to the function) are answered
  204 with Allow-Methods / Allow-Headers / Max-Age without calling the handler.
- Errors (an exception, or a result API Gateway could not use) are logged and answered 500
  ``{"message":"Internal Server Error"}`` with CORS headers, so the page sees the 500 instead of a CORS failure.
- Payload 2.0 handlers may return a plain value: API Gateway's inference is applied first.

Allowed origins come from the stage variable ``corsAllowedOrigins`` (per request), the environment variable
``CORS_ALLOWED_ORIGINS`` (read when with_cors is called) or ``origins``, the most specific winning.
"""

import functools
import logging
import os

from .cors_options import (
    DEFAULT_ALLOW_HEADERS,
    DEFAULT_ALLOW_METHODS,
    DEFAULT_MAX_AGE,
    DEFAULT_ORIGINS_ENV_VAR,
    DEFAULT_ORIGINS_STAGE_VARIABLE,
    CorsOptionsError,
    Policy,
    check_origin,
    compile_options,
    credentials_with_any_origin_message,
    format_issues,
    issue,
    parse_origin_list,
)
from .events import CorsHeaderSet, MalformedResultError, apply_cors_headers, normalize_result, read_cors_request

__all__ = [
    "with_cors",
    "check_origin",
    "CorsOptionsError",
    "MalformedResultError",
    "INTERNAL_ERROR_BODY",
    "DEFAULT_ALLOW_HEADERS",
    "DEFAULT_ALLOW_METHODS",
    "DEFAULT_MAX_AGE",
    "DEFAULT_ORIGINS_ENV_VAR",
    "DEFAULT_ORIGINS_STAGE_VARIABLE",
]

# HTTP API's own text for a failed integration, served as application/json; the error itself only goes to the log.
INTERNAL_ERROR_BODY = '{"message":"Internal Server Error"}'

# Always the wrapper's: a handler's copy would either duplicate ours or contradict the configured policy.
_OWNED = ("Access-Control-Allow-Origin", "Access-Control-Allow-Credentials")

logger = logging.getLogger("preflight_lambda")


def with_cors(handler=None, **options):
    """Wraps an API Gateway Lambda proxy handler so that every response carries CORS headers.

    Use it as ``with_cors(handler, origins=[...])``, as a decorator ``@with_cors(origins=[...])``, or bare
    ``@with_cors`` (origins from the environment or a stage variable). Raises CorsOptionsError at wrap time when the
    options or the origins environment variable are invalid, listing every problem and its fix.
    """
    if handler is None:
        return lambda h: with_cors(h, **options)
    if not callable(handler):
        raise TypeError("with_cors: expected a handler function as first argument, received %s." % type(handler).__name__)
    config = compile_options(options, os.environ)
    stage_policies = {}
    warned = []

    def policy_for(request):
        name = config.origins_stage_variable
        raw = request.stage_variables.get(name) if name is not None and request.stage_variables is not None else None
        if isinstance(raw, str):
            if raw not in stage_policies:
                stage_policies[raw] = _stage_policy(raw, name, config)
            if stage_policies[raw] is not None:
                return stage_policies[raw]
        if config.origins is None and not warned:
            warned.append(True)
            logger.warning(
                "with_cors: no allowed origins configured (origins, %s%s), so CORS requests are refused.",
                "environment variable %s, " % config.origins_env_var if config.origins_env_var else "",
                "stage variable %s" % name if name else "stage variables ignored",
            )
        return config.origins

    @functools.wraps(handler)
    def cors_handler(event, context):
        request = read_cors_request(event)
        cors = _cors_headers(config, policy_for(request), request)
        if request.method == "OPTIONS" and request.request_method is not None:
            preflight = dict(cors.set)
            if "Access-Control-Allow-Origin" in cors.set:
                preflight["Access-Control-Allow-Methods"] = config.allow_methods
                preflight["Access-Control-Allow-Headers"] = config.allow_headers
                preflight["Access-Control-Max-Age"] = config.max_age
            return apply_cors_headers({"statusCode": 204, "headers": {}, "body": ""}, CorsHeaderSet(preflight, cors.owned, cors.vary_origin))
        try:
            result = handler(event, context)
            return apply_cors_headers(normalize_result(request.format, result), _with_expose(config, cors))
        except Exception:
            logger.error("with_cors: the handler failed; answering 500 with CORS headers.", exc_info=True)
            failure = {"statusCode": 500, "headers": {"Content-Type": "application/json"}, "body": INTERNAL_ERROR_BODY}
            return apply_cors_headers(failure, _with_expose(config, cors))

    return cors_handler


def _cors_headers(config, policy, request):
    if policy is not None and policy.any:
        # A constant answer needs no Vary (Fetch, "CORS protocol and HTTP caches"). Credentials never reach this
        # branch: compile_options and the stage-variable check refuse '*' with credentials.
        return CorsHeaderSet({"Access-Control-Allow-Origin": "*"}, _OWNED, False)
    origin = request.origin
    if policy is None or origin is None or origin not in policy.origins:
        return CorsHeaderSet({}, _OWNED, True)
    values = {"Access-Control-Allow-Origin": origin}
    if config.credentials:
        values["Access-Control-Allow-Credentials"] = "true"
    return CorsHeaderSet(values, _OWNED, True)


def _with_expose(config, cors):
    if config.expose_headers is None or "Access-Control-Allow-Origin" not in cors.set:
        return cors
    values = dict(cors.set)
    values["Access-Control-Expose-Headers"] = config.expose_headers
    return CorsHeaderSet(values, cors.owned, cors.vary_origin)


def _stage_policy(raw, name, config):
    """The stage's policy, or None when the variable has no entries. An invalid value allows nothing (and is logged
    once): falling back to the code's origins could widen what the stage meant to allow."""
    parsed = parse_origin_list(raw, "stage", name)
    if parsed is None:
        return None
    policy, problems = parsed
    title = "with_cors: stage variable %s is invalid, so no origin is allowed on this stage" % name
    if problems:
        logger.error(format_issues(title, problems))
        return Policy()
    if policy.any and config.credentials:
        logger.error(format_issues(title, [issue(["stage", name], credentials_with_any_origin_message("%s=*" % name))]))
        return Policy()
    return policy
