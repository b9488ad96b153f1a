"""preflight's Python runtime: runs a Lambda handler against the Lambda Runtime API, standard library only.

It plays the part of AWS's Python runtime (aws-lambda-python-runtime-interface-client, awslambdaric: bootstrap.py,
lambda_context.py, lambda_runtime_marshaller.py, lambda_runtime_exception.py, lambda_runtime_log_utils.py) with
the same observable behaviour: handler loading and its error types, the context object, JSON marshalling, error
payloads, log formats and the framed telemetry log pipe. Our own code.

Started by preflight as `python -B bootstrap.py` with _HANDLER, LAMBDA_TASK_ROOT and AWS_LAMBDA_RUNTIME_API set.
"""

import decimal
import http.client
import importlib
import json
import logging
import math
import os
import sys
import time
import traceback

ERROR_LOG_LINE_TERMINATE = "\r"
ERROR_LOG_IDENT = "\u00a0"  # the runtime indents traceback lines with NO-BREAK SPACE

_TEXT_FRAME_TYPES = {
    logging.NOTSET: 0xA55A0003,
    logging.DEBUG: 0xA55A000B,
    logging.INFO: 0xA55A000F,
    logging.WARNING: 0xA55A0013,
    logging.ERROR: 0xA55A0017,
    logging.CRITICAL: 0xA55A001B,
}

LAMBDA_UNHANDLED_EXCEPTION_WARNING = (
    "LAMBDA_WARNING: "
    "Unhandled exception. "
    "The most likely cause is an issue in the function code. "
    "However, in rare cases, a Lambda runtime update can cause unexpected function behavior. "
    "For functions using managed runtimes, runtime updates can be triggered by a function change, or can be applied automatically. "
    "To determine if the runtime has been updated, check the runtime version in the INIT_START log entry. "
    "If this error correlates with a change in the runtime version, you may be able to mitigate this error by temporarily rolling back to the previous runtime version. "
    "For more information, see https://docs.aws.amazon.com/lambda/latest/dg/runtimes-update.html\r"
)


class FaultException(Exception):
    MARSHAL_ERROR = "Runtime.MarshalError"
    UNMARSHAL_ERROR = "Runtime.UnmarshalError"
    USER_CODE_SYNTAX_ERROR = "Runtime.UserCodeSyntaxError"
    HANDLER_NOT_FOUND = "Runtime.HandlerNotFound"
    IMPORT_MODULE_ERROR = "Runtime.ImportModuleError"
    BUILT_IN_MODULE_CONFLICT = "Runtime.BuiltInModuleConflict"
    MALFORMED_HANDLER_NAME = "Runtime.MalformedHandlerName"
    LAMBDA_CONTEXT_UNMARSHAL_ERROR = "Runtime.LambdaContextUnmarshalError"

    def __init__(self, exception_type, msg, trace=None):
        super().__init__(msg)
        self.msg = msg
        self.exception_type = exception_type
        self.trace = trace


# ---------------------------------------------------------------------------------------------------------------
# JSON, as the runtime's marshaller writes it (simplejson there; the standard json module here).


def _ensure_ascii():
    # The runtime writes non-ASCII characters as they are from python3.12 on, escaped before.
    env = os.environ.get("AWS_EXECUTION_ENV", "")
    try:
        minor = int(env.rsplit(".", 1)[1])
    except (IndexError, ValueError):
        return True
    return not (env.startswith("AWS_Lambda_python3.") and minor >= 12)


class _Encoder(json.JSONEncoder):
    def default(self, o):
        # simplejson writes a Decimal's digits as they are; the standard encoder cannot, so integral values stay
        # exact and others become floats (UNCERTAIN: precision beyond a double differs from AWS).
        if isinstance(o, decimal.Decimal):
            if o.is_nan():
                return math.nan
            if o == o.to_integral_value():
                return int(o)
            return float(o)
        return super().default(o)


def to_json(obj):
    return _Encoder(ensure_ascii=_ensure_ascii(), allow_nan=True).encode(obj)


def unmarshal_request(body, content_type):
    if content_type not in (None, "application/json"):
        return body
    try:
        return json.loads(body)
    except Exception as e:
        raise FaultException(FaultException.UNMARSHAL_ERROR, "Unable to unmarshal input: {}".format(str(e)), None)


def marshal_response(response):
    if isinstance(response, bytes):
        return response, "application/unknown"
    try:
        return to_json(response).encode("utf-8"), "application/json"
    except Exception as e:
        raise FaultException(FaultException.MARSHAL_ERROR, "Unable to marshal response: {}".format(str(e)), None)


# ---------------------------------------------------------------------------------------------------------------
# Logs. With a telemetry pipe every record is one frame (one CloudWatch event, even over several lines); print()
# output is framed line by line, as Lambda splits a process's stdout.


class FramedSink(object):
    def __init__(self, fd):
        self.fd = fd

    def log(self, msg, frame_type=None):
        data = msg.encode("utf-8", "replace")
        timestamp = int(time.time_ns() / 1000)
        header = (frame_type or _TEXT_FRAME_TYPES[logging.NOTSET]).to_bytes(4, "big")
        header += len(data).to_bytes(4, "big") + timestamp.to_bytes(8, "big")
        self._write(header + data)

    def _write(self, data):
        view = memoryview(data)
        while view:
            written = os.write(self.fd, view)
            view = view[written:]

    def log_error(self, message_lines):
        self.log("\n".join(message_lines), _TEXT_FRAME_TYPES[logging.ERROR])


class StdoutSink(object):
    def log(self, msg, frame_type=None):
        sys.stdout.write(msg)
        sys.stdout.flush()

    def log_error(self, message_lines):
        sys.stdout.write(ERROR_LOG_LINE_TERMINATE.join(message_lines) + "\n")
        sys.stdout.flush()


class FramedLines(object):
    """sys.stdout / sys.stderr replacement: each completed line becomes one frame, in order with log records."""

    encoding = "utf-8"
    errors = "replace"

    def __init__(self, sink, original):
        self._sink = sink
        self._original = original
        self._partial = ""

    def write(self, text):
        if not isinstance(text, str):
            raise TypeError("write() argument must be str, not {}".format(type(text).__name__))
        lines = (self._partial + text).split("\n")
        self._partial = lines.pop()
        for line in lines:
            self._sink.log(line)
        return len(text)

    def writelines(self, lines):
        for line in lines:
            self.write(line)

    def flush(self):
        pass

    def end_of_invocation(self):
        if self._partial:
            self._sink.log(self._partial)
            self._partial = ""

    def isatty(self):
        return False

    def writable(self):
        return True

    def fileno(self):
        return self._original.fileno()

    @property
    def buffer(self):
        return self._original.buffer

    def __getattr__(self, name):
        return getattr(self._original, name)


_request_id = None


class _RequestIdFilter(logging.Filter):
    def filter(self, record):
        record.aws_request_id = _request_id or ""
        return True


class _SinkHandler(logging.Handler):
    def __init__(self, sink, typed):
        super().__init__()
        self.log_sink = sink
        self._typed = typed

    def emit(self, record):
        msg = self.format(record)
        level = min(50, max(0, record.levelno)) // 10 * 10
        self.log_sink.log(msg, _TEXT_FRAME_TYPES.get(level) if self._typed else None)


def setup_logging(sink):
    logging.Formatter.converter = time.gmtime
    logger = logging.getLogger()
    level = {None: "", "TRACE": "DEBUG"}.get(os.environ.get("AWS_LAMBDA_LOG_LEVEL"), os.environ.get("AWS_LAMBDA_LOG_LEVEL"))
    level = (level or "").upper()
    handler = _SinkHandler(sink, bool(level))
    handler.setFormatter(
        logging.Formatter(
            "[%(levelname)s]\t%(asctime)s.%(msecs)03dZ\t%(aws_request_id)s\t%(message)s\n",
            "%Y-%m-%dT%H:%M:%S",
        )
    )
    if level in logging._nameToLevel:
        logger.setLevel(level)
    handler.addFilter(_RequestIdFilter())
    logger.addHandler(handler)


def replace_line_indentation(line, indent_char, new_indent_char):
    count = len(line) - len(line.lstrip(indent_char))
    return (new_indent_char * count) + line[count:]


def log_error(error_result, sink):
    description = "[ERROR]"
    error_type = error_result.get("errorType")
    if error_type:
        description += " " + error_type
    message = error_result.get("errorMessage")
    if message:
        if error_type:
            description += ":"
        description += " " + message
    lines = [description]
    stack_trace = error_result.get("stackTrace")
    if stack_trace is not None:
        lines.append("Traceback (most recent call last):")
        for element in stack_trace:
            if element == "":
                lines.append("")
            else:
                for trace_line in element.splitlines():
                    lines.append(replace_line_indentation(trace_line, " ", ERROR_LOG_IDENT))
    sink.log_error(lines)


# ---------------------------------------------------------------------------------------------------------------
# Handler loading and errors


def get_handler(handler):
    try:
        modname, fname = handler.rsplit(".", 1)
    except ValueError as e:
        raise FaultException(FaultException.MALFORMED_HANDLER_NAME, "Bad handler '{}': {}".format(handler, str(e)))
    try:
        if modname.split(".")[0] in sys.builtin_module_names:
            raise FaultException(
                FaultException.BUILT_IN_MODULE_CONFLICT,
                "Cannot use built-in module {} as a handler module".format(modname),
            )
        module = importlib.import_module(modname.replace("/", "."))
    except ImportError as e:
        raise FaultException(FaultException.IMPORT_MODULE_ERROR, "Unable to import module '{}': {}".format(modname, str(e)))
    except SyntaxError as e:
        trace = ['  File "%s" Line %s\n    %s' % (e.filename, e.lineno, e.text)]
        raise FaultException(
            FaultException.USER_CODE_SYNTAX_ERROR, "Syntax error in module '{}': {}".format(modname, str(e)), trace
        )
    try:
        return getattr(module, fname)
    except AttributeError:
        raise FaultException(
            FaultException.HANDLER_NOT_FOUND, "Handler '{}' missing on module '{}'".format(fname, modname), None
        )


def make_error(error_message, error_type, stack_trace, invoke_id=None):
    return {
        "errorMessage": error_message if error_message else "",
        "errorType": error_type if error_type else "",
        "requestId": invoke_id if invoke_id is not None else "",
        "stackTrace": stack_trace if stack_trace else [],
    }


def user_frames(tb):
    """The traceback without this file's own frames, as the runtime reports it."""
    frames = [(f.filename, f.lineno, f.name, f.line) for f in traceback.extract_tb(tb)]
    for i, frame in enumerate(frames):
        if "/bootstrap.py" not in frame[0]:
            return frames[i:]
    return frames


def fault_result(exc_info, invoke_id=None):
    etype, value, tb = exc_info
    return make_error(str(value), etype.__name__, traceback.format_list(user_frames(tb)), invoke_id)


# ---------------------------------------------------------------------------------------------------------------
# The context object (lambda_context.py)


class CognitoIdentity(object):
    __slots__ = ["cognito_identity_id", "cognito_identity_pool_id"]


class Client(object):
    __slots__ = ["installation_id", "app_title", "app_version_name", "app_version_code", "app_package_name"]


class ClientContext(object):
    __slots__ = ["custom", "env", "client"]


def _from_dict(cls, values):
    if values is None:
        return None
    obj = cls()
    for field in cls.__slots__:
        setattr(obj, field, values.get(field, None))
    return obj


class LambdaContext(object):
    def __init__(self, invoke_id, client_context, cognito_identity, deadline_ms, invoked_function_arn=None):
        self.aws_request_id = invoke_id
        self.log_group_name = os.environ.get("AWS_LAMBDA_LOG_GROUP_NAME")
        self.log_stream_name = os.environ.get("AWS_LAMBDA_LOG_STREAM_NAME")
        self.function_name = os.environ.get("AWS_LAMBDA_FUNCTION_NAME")
        self.memory_limit_in_mb = os.environ.get("AWS_LAMBDA_FUNCTION_MEMORY_SIZE")
        self.function_version = os.environ.get("AWS_LAMBDA_FUNCTION_VERSION")
        self.invoked_function_arn = invoked_function_arn
        self.tenant_id = None
        self.client_context = _from_dict(ClientContext, client_context)
        if self.client_context is not None:
            self.client_context.client = _from_dict(Client, self.client_context.client)
        self.identity = _from_dict(CognitoIdentity, {})
        if cognito_identity is not None:
            self.identity.cognito_identity_id = cognito_identity.get("cognitoIdentityId")
            self.identity.cognito_identity_pool_id = cognito_identity.get("cognitoIdentityPoolId")
        self._deadline_ms = deadline_ms

    def get_remaining_time_in_millis(self):
        delta = self._deadline_ms - int(time.time() * 1000)
        return delta if delta > 0 else 0

    def log(self, msg):
        for handler in logging.getLogger().handlers:
            if hasattr(handler, "log_sink"):
                handler.log_sink.log(str(msg))
                return
        sys.stdout.write(str(msg))

    def __repr__(self):
        return (
            "LambdaContext(["
            "aws_request_id={},log_group_name={},log_stream_name={},function_name={},memory_limit_in_mb={},"
            "function_version={},invoked_function_arn={},client_context={},identity={},tenant_id={}])"
        ).format(
            self.aws_request_id,
            self.log_group_name,
            self.log_stream_name,
            self.function_name,
            self.memory_limit_in_mb,
            self.function_version,
            self.invoked_function_arn,
            self.client_context,
            self.identity,
            self.tenant_id,
        )


def parse_json_header(header, name):
    try:
        return json.loads(header)
    except Exception as e:
        raise FaultException(
            FaultException.LAMBDA_CONTEXT_UNMARSHAL_ERROR, "Unable to parse {} JSON: {}".format(name, str(e)), None
        )


# ---------------------------------------------------------------------------------------------------------------
# The Runtime API client: one keep-alive connection, reopened if the server closed it.


class RuntimeClient(object):
    def __init__(self, address):
        host, _, port = address.rpartition(":")
        self.host = host
        self.port = int(port)
        self.connection = None

    def _request(self, method, path, body=None, headers=None):
        for attempt in (0, 1):
            if self.connection is None:
                self.connection = http.client.HTTPConnection(self.host, self.port)
            try:
                self.connection.request(method, path, body=body, headers=headers or {})
                response = self.connection.getresponse()
                return response, response.read()
            except (ConnectionError, http.client.HTTPException, OSError):
                self.connection.close()
                self.connection = None
                if attempt == 1:
                    raise

    def next(self):
        response, body = self._request("GET", "/2018-06-01/runtime/invocation/next")
        if response.status != 200:
            raise RuntimeError("Failed to get next invocation: {} {}".format(response.status, body))
        return response.headers, body

    def post_result(self, invoke_id, body, content_type):
        path = "/2018-06-01/runtime/invocation/{}/response".format(invoke_id)
        response, reply = self._request("POST", path, body, {"Content-Type": content_type})
        if response.status != 202:
            # The runtime does not survive a refused response (e.g. 413 for more than 6 MB): it raises and exits.
            raise RuntimeError("Failed to post invocation response: {} {}".format(response.status, reply))

    def post_error(self, invoke_id, error_json, error_type):
        path = "/2018-06-01/runtime/invocation/{}/error".format(invoke_id)
        headers = {"Content-Type": "application/json", "Lambda-Runtime-Function-Error-Type": error_type}
        response, reply = self._request("POST", path, error_json.encode("utf-8"), headers)
        if response.status != 202:
            raise RuntimeError("Failed to post invocation error: {} {}".format(response.status, reply))

    def post_init_error(self, error_result):
        headers = {"Content-Type": "application/json", "Lambda-Runtime-Function-Error-Type": error_result["errorType"]}
        self._request("POST", "/2018-06-01/runtime/init/error", to_json(error_result).encode("utf-8"), headers)


# ---------------------------------------------------------------------------------------------------------------


def handle_event(client, request_handler, headers, body, sink):
    global _request_id
    invoke_id = headers.get("Lambda-Runtime-Aws-Request-Id")
    _request_id = invoke_id
    trace_id = headers.get("Lambda-Runtime-Trace-Id")
    if trace_id is not None:
        os.environ["_X_AMZN_TRACE_ID"] = trace_id
    elif "_X_AMZN_TRACE_ID" in os.environ:
        del os.environ["_X_AMZN_TRACE_ID"]

    error_result = None
    try:
        client_context = headers.get("Lambda-Runtime-Client-Context")
        cognito = headers.get("Lambda-Runtime-Cognito-Identity")
        context = LambdaContext(
            invoke_id,
            parse_json_header(client_context, "Client Context") if client_context else None,
            parse_json_header(cognito, "Cognito Identity") if cognito else None,
            int(headers.get("Lambda-Runtime-Deadline-Ms", "0")),
            headers.get("Lambda-Runtime-Invoked-Function-Arn"),
        )
        event = unmarshal_request(body, headers.get("Content-Type"))
        response = request_handler(event, context)
        result, content_type = marshal_response(response)
    except FaultException as e:
        error_result = make_error(e.msg, e.exception_type, e.trace, invoke_id)
    except Exception:
        error_result = fault_result(sys.exc_info(), invoke_id)

    for stream in (sys.stdout, sys.stderr):
        if isinstance(stream, FramedLines):
            stream.end_of_invocation()
    if error_result is not None:
        log_error(error_result, sink)
        client.post_error(invoke_id, to_json(error_result), error_result["errorType"])
    else:
        client.post_result(invoke_id, result, content_type)


def main():
    handler_name = os.environ.get("_HANDLER", "")
    task_root = os.environ.get("LAMBDA_TASK_ROOT", os.getcwd())
    # The task root comes first on the path, as on Lambda (/var/task); not this file's directory.
    sys.path[0] = task_root
    client = RuntimeClient(os.environ["AWS_LAMBDA_RUNTIME_API"])

    fd = os.environ.pop("_LAMBDA_TELEMETRY_LOG_FD", None)
    if fd is not None:
        sink = FramedSink(int(fd))
        sys.stdout = FramedLines(sink, sys.stdout)
        sys.stderr = FramedLines(sink, sys.stderr)
    else:
        sink = StdoutSink()

    error_result = None
    try:
        setup_logging(sink)
        request_handler = get_handler(handler_name)
    except FaultException as e:
        error_result = make_error(e.msg, e.exception_type, e.trace)
    except Exception:
        error_result = fault_result(sys.exc_info())

    if error_result is not None:
        logging.warning(LAMBDA_UNHANDLED_EXCEPTION_WARNING)
        log_error(error_result, sink)
        client.post_init_error(error_result)
        sys.exit(1)

    while True:
        headers, body = client.next()
        handle_event(client, request_handler, headers, body, sink)


if __name__ == "__main__":
    main()
