"""API Gateway proxy events and responses: the readers and writers with_cors needs.

The Python twin of src/lib/lambda-events.ts. Events of REST APIs (v1), HTTP API payload format 1.0 (v1 plus
"version": "1.0") and 2.0 are told apart per event.
"""

import json
import os


class MalformedResultError(ValueError):
    """A handler result that cannot be turned into a response; with_cors answers 500 and logs this."""


class CorsRequest(object):
    __slots__ = ("format", "method", "origin", "request_method", "stage_variables")


def request_header_values(event, name):
    """All values of a request header, matching its name case-insensitively in headers and multiValueHeaders."""
    if not isinstance(event, dict):
        return []
    lower = name.lower()
    # multiValueHeaders first: for a repeated header, REST's headers only keep the last value.
    multi = event.get("multiValueHeaders")
    if isinstance(multi, dict):
        values = []
        for key, items in multi.items():
            if isinstance(key, str) and key.lower() == lower and isinstance(items, list):
                values.extend(v for v in items if isinstance(v, str))
        if values:
            return values
    headers = event.get("headers")
    values = []
    if isinstance(headers, dict):
        for key, value in headers.items():
            if isinstance(key, str) and key.lower() == lower and isinstance(value, str):
                values.append(value)
    return values


def read_cors_request(event):
    """Detects the payload format and reads method, Origin, Access-Control-Request-Method and stage variables."""
    e = event if isinstance(event, dict) else {}
    context = e.get("requestContext")
    http = context.get("http") if isinstance(context, dict) else None
    request = CorsRequest()
    request.format = "v2" if e.get("version") == "2.0" or isinstance(http, dict) else "v1"
    method = ""
    if request.format == "v2" and isinstance(http, dict) and isinstance(http.get("method"), str):
        method = http["method"]
    elif isinstance(e.get("httpMethod"), str):
        method = e["httpMethod"]
    request.method = method.upper()
    origins = request_header_values(e, "origin")
    request.origin = origins[0] if len(origins) == 1 else None
    request_methods = request_header_values(e, "access-control-request-method")
    request.request_method = request_methods[0] if request_methods else None
    stage = e.get("stageVariables")
    request.stage_variables = stage if isinstance(stage, dict) else None
    return request


def _runtime_json(value):
    # What the Python runtime sends API Gateway for a returned value (its marshaller's separators; non-ASCII written
    # as is from python3.12 on), so the inferred body is the one the unwrapped handler would have produced.
    env = os.environ.get("AWS_EXECUTION_ENV", "")
    try:
        modern = env.startswith("AWS_Lambda_python3.") and int(env.rsplit(".", 1)[1]) >= 12
    except ValueError:
        modern = False
    return json.dumps(value, ensure_ascii=not modern)


def normalize_result(fmt, result):
    """Turns a handler's result into a response dict.

    Payload 2.0 applies API Gateway's inference to anything that is not a dict with a statusCode (200,
    application/json, the value's JSON text, a string as is); v1 formats have no inference, so anything but a dict is
    what API Gateway would answer 502 to.
    """
    if fmt == "v2":
        if isinstance(result, dict) and result.get("statusCode") is not None:
            return _check_header_maps(dict(result))
        body = result if isinstance(result, str) else _runtime_json(result)
        return {"statusCode": 200, "headers": {"content-type": "application/json"}, "body": body, "isBase64Encoded": False}
    if not isinstance(result, dict):
        what = "nothing (None)" if result is None else "a list" if isinstance(result, list) else "a " + type(result).__name__
        raise MalformedResultError(
            "the handler returned %s, but a REST API / payload 1.0 proxy integration needs a dict such as "
            "{'statusCode': 200, 'body': '...'} (API Gateway answers 502 otherwise)" % what
        )
    return _check_header_maps(dict(result))


def _check_header_maps(response):
    for key in ("headers", "multiValueHeaders"):
        value = response.get(key)
        if value is not None and not isinstance(value, dict):
            raise MalformedResultError("the handler's response has %s of type %s; expected a dict" % (key, type(value).__name__))
    multi = response.get("multiValueHeaders")
    if isinstance(multi, dict):
        for name, items in multi.items():
            if not isinstance(items, list):
                raise MalformedResultError("the handler's multiValueHeaders[%s] is not a list (API Gateway answers 502)" % json.dumps(name))
    return response


class CorsHeaderSet(object):
    """Headers with_cors sets (replacing the handler's of the same name), headers it owns, and whether to Vary."""

    __slots__ = ("set", "owned", "vary_origin")

    def __init__(self, values, owned, vary_origin):
        self.set = values
        self.owned = owned
        self.vary_origin = vary_origin


def _text(value):
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _vary_has_origin(value):
    return any(token.strip().lower() in ("origin", "*") for token in _text(value).split(","))


def _add_vary_origin(headers, multi):
    # Vary is a list header, so extending the handler's own entry (wherever it put it) keeps its other fields.
    header_key = next((k for k in headers if k.lower() == "vary"), None)
    multi_key = next((k for k in multi if k.lower() == "vary"), None) if multi is not None else None
    existing = ([headers[header_key]] if header_key else []) + (list(multi[multi_key]) if multi_key else [])
    if any(_vary_has_origin(v) for v in existing):
        return
    if header_key:
        current = _text(headers[header_key]).strip()
        headers[header_key] = "Origin" if current == "" else current + ", Origin"
    elif multi_key:
        multi[multi_key] = list(multi[multi_key]) + ["Origin"]
    else:
        headers["Vary"] = "Origin"


def apply_cors_headers(response, cors):
    """Adds CORS headers to a response without mutating it; the handler's other headers and fields are kept."""
    remove = {n.lower() for n in list(cors.owned) + list(cors.set)}
    # Removing from both maps matters: API Gateway merges headers and multiValueHeaders, and two
    # Access-Control-Allow-Origin values reach the browser as "a, b", which it rejects outright.
    headers = {k: v for k, v in (response.get("headers") or {}).items() if k.lower() not in remove}
    multi = None
    if response.get("multiValueHeaders"):
        multi = {k: list(v) for k, v in response["multiValueHeaders"].items() if k.lower() not in remove}
    headers.update(cors.set)
    if cors.vary_origin:
        _add_vary_origin(headers, multi)
    out = dict(response)
    out["headers"] = headers
    if multi is not None:
        out["multiValueHeaders"] = multi
    return out
