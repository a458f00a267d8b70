using BackupFunctions.Http.OpenApi;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;

namespace BackupFunctions.Http;

/// <summary>
/// <c>GET /api/openapi.json</c>: the API's OpenAPI 3.1 document (<see cref="ApiDocument"/>). It needs a function key
/// like every other route: the document holds no secret, but it maps the whole surface, and whoever may call the API
/// has a key anyway (tools take it as <c>?code=</c>).
/// </summary>
public static class OpenApiApi
{
    [Function("GetOpenApiDocument")]
    public static IActionResult Get(
        [HttpTrigger(AuthorizationLevel.Function, "get", Route = "openapi.json")] HttpRequest request)
        => new ContentResult { Content = ApiDocument.Json, ContentType = "application/json; charset=utf-8", StatusCode = StatusCodes.Status200OK };
}
