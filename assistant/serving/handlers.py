"""How failures become the API's JSON error: validation errors, HTTP errors, :class:`ApiError`, unknown /v1 paths.

Each is one Vietnamese sentence saying what was wrong and what to do (:func:`validation_message` for FastAPI's
validation errors, the first error deciding). Unknown ``/v1`` paths, and methods a health route does not take,
get the API's 404 (or 405 with ``Allow``) instead of falling through to the chat page.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.routing import APIRoute
from starlette.exceptions import HTTPException as StarletteHTTPException

from assistant.serving.access import error_response
from assistant.serving.errors import ApiError, short
from assistant.serving.schemas import MAX_QUESTION_CHARS, NO_USER_MESSAGE

HTTP_MESSAGES = {
    400: ("bad_request", "Nội dung yêu cầu không đọc được (không phải JSON mã hóa UTF-8); hãy gửi lại JSON hợp lệ."),
    404: ("not_found", "Không có đường dẫn {path}; hãy xem danh sách API tại /docs."),
    405: ("method_not_allowed", "Phương thức {method} không dùng được với {path}; hãy xem tài liệu tại /docs."),
}
ALL_METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS", "TRACE", "QUERY")
HEALTH_PATHS = ("/healthz", "/readyz", "/metrics")
_TYPE_MESSAGES = {  # pydantic error type → what the field must be (``{name}`` names it, ``{ctx...}`` its limits)
    "string_type": "{name} phải là một chuỗi ký tự",
    "int_type": "{name} phải là một số nguyên",
    "int_parsing": "{name} phải là một số nguyên",
    "int_from_float": "{name} phải là một số nguyên",
    "bool_type": "{name} phải là true hoặc false",
    "bool_parsing": "{name} phải là true hoặc false",
    "list_type": "{name} phải là một danh sách",
    "model_attributes_type": "{name} phải là một đối tượng JSON",
    "dict_type": "{name} phải là một đối tượng JSON",
    "model_type": "{name} phải là một đối tượng JSON",
    "string_too_short": "{name} không được để trống",
    "string_too_long": "{name} dài quá {max_length} ký tự",
    "too_short": "{name} cần ít nhất {min_length} phần tử",
    "too_long": "{name} có quá nhiều phần tử (tối đa {max_length})",
    "greater_than_equal": "{name} phải lớn hơn hoặc bằng {ge}",
    "greater_than": "{name} phải lớn hơn {gt}",
    "less_than_equal": "{name} phải nhỏ hơn hoặc bằng {le}",
    "less_than": "{name} phải nhỏ hơn {lt}",
    "string_pattern_mismatch": "{name} không được để trống",
}


class _Limits(dict):
    """A validation error's ``ctx`` for :meth:`str.format_map`: a limit it does not give reads as ``None``."""

    def __missing__(self, key: str) -> str:
        return "None"


def _field(loc: tuple[Any, ...]) -> str:
    parts = [str(p) for p in loc[1:]] if loc and loc[0] in ("body", "query", "path", "header", "cookie") else []
    return ".".join(parts)


def validation_message(errors: list[dict[str, Any]]) -> tuple[str, str]:
    """(code, one Vietnamese sentence) for FastAPI's validation errors; the first error decides."""
    if not errors:
        return "validation_error", "Yêu cầu không hợp lệ; hãy đối chiếu với tài liệu API tại /docs."
    error = errors[0]
    kind, loc, ctx = error.get("type", ""), tuple(error.get("loc", ())), error.get("ctx") or {}
    field = _field(loc)
    where = "tham số" if loc and loc[0] in ("query", "path") else "trường"
    name = f"{where} '{field}'"
    if kind == "json_invalid":
        return "invalid_json", "Nội dung yêu cầu không phải JSON hợp lệ; hãy gửi một đối tượng JSON đúng cú pháp."
    if kind == "no_user_message":
        return "invalid_question", NO_USER_MESSAGE
    if field == "question" or (field.startswith("messages.") and field.endswith(".content")):
        if kind in ("string_pattern_mismatch", "string_too_short"):
            return "invalid_question", "Câu hỏi trống; hãy nhập một câu hỏi về kế hoạch chuyển đổi số báo chí."
        if kind == "string_too_long":
            length = len(error["input"]) if isinstance(error.get("input"), str) else "hơn " + str(MAX_QUESTION_CHARS)
            return (
                "invalid_question",
                f"Câu hỏi dài {length} ký tự, vượt giới hạn {MAX_QUESTION_CHARS}; hãy rút gọn câu hỏi.",
            )
    if kind == "missing":
        if not field:
            return "validation_error", 'Yêu cầu thiếu nội dung JSON; hãy gửi một đối tượng, ví dụ {"question": "…"}.'
        return "validation_error", f"Thiếu {name}; hãy bổ sung rồi gửi lại."
    if not field and kind in ("model_attributes_type", "dict_type", "model_type"):
        return "validation_error", 'Nội dung yêu cầu phải là một đối tượng JSON; hãy gửi ví dụ {"question": "…"}.'
    if kind in ("literal_error", "enum"):
        expected = str(ctx.get("expected", "")).replace("'", "").replace(" or ", ", ")
        return (
            "validation_error",
            f"Giá trị '{short(error.get('input'))}' của {name} không hợp lệ; hãy dùng một trong: {expected}.",
        )
    if kind in _TYPE_MESSAGES:
        text = _TYPE_MESSAGES[kind].format_map(_Limits(ctx, name=name))
        return "validation_error", f"{text[0].upper()}{text[1:]}; hãy sửa theo tài liệu tại /docs."
    return "validation_error", f"Giá trị của {name or 'yêu cầu'} không hợp lệ; hãy sửa theo tài liệu tại /docs."


async def _api_error(request: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, ApiError)
    return error_response(error.status, error.code, error.message, error.headers)


async def _validation_error(request: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, RequestValidationError)
    code, message = validation_message(list(error.errors()))
    return error_response(422, code, message)


async def _http_error(request: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, StarletteHTTPException)
    code, template = HTTP_MESSAGES.get(
        error.status_code, ("http_error", "Yêu cầu không thực hiện được ({status}); hãy xem tài liệu tại /docs.")
    )
    message = template.format(path=request.url.path, method=request.method, status=error.status_code)
    return error_response(error.status_code, code, message, dict(error.headers or {}))


def unknown_route(request: Request) -> JSONResponse:
    """The API's 404 for a path no route has, or its 405 (with ``Allow``) for a method the path's routes lack."""
    path = request.url.path
    allowed = sorted(
        {
            method
            for router in request.app.state.api_routers
            for route in router.routes
            if isinstance(route, APIRoute) and route.path_regex.match(path)
            for method in route.methods
        }
    )
    if allowed:
        code, template = HTTP_MESSAGES[405]
        message = template.format(method=request.method, path=path)
        return error_response(405, code, message, {"Allow": ", ".join(allowed)})
    code, template = HTTP_MESSAGES[404]
    return error_response(404, code, template.format(path=path))


def install_error_handlers(app: FastAPI) -> None:
    """Answer every failure with the JSON error shape; call after the routers (``app.state.api_routers``) are
    included."""
    for path in ("/v1", "/v1/{rest:path}", *HEALTH_PATHS):  # GET (and HEAD) of a health path is its route
        app.add_api_route(path, unknown_route, methods=list(ALL_METHODS), include_in_schema=False)
    app.add_exception_handler(ApiError, _api_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
