using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;

namespace BackupFunctions.Http;

/// <summary>
/// Results with the API's own JSON settings. JsonResult carries its serializer options, so the answer is the same
/// under the Functions host and under the local host.
/// </summary>
public static class ApiResults
{
    public static IActionResult Ok(object value) => Json(value, StatusCodes.Status200OK);

    public static IActionResult Created(string location, object value) => new LocatedJsonResult(value, StatusCodes.Status201Created, location);

    public static IActionResult Accepted(string location, object value) => new LocatedJsonResult(value, StatusCodes.Status202Accepted, location);

    /// <summary>400 with a ValidationProblemDetails body: <c>errors</c> maps each bad field (JSON path) to its messages.</summary>
    public static IActionResult BadRequest(IReadOnlyDictionary<string, string[]> errors, string? detail = null)
        => Problem(new ValidationProblemDetails(errors.ToDictionary(e => e.Key, e => e.Value))
        {
            Title = "The request is not valid.",
            Status = StatusCodes.Status400BadRequest,
            Detail = detail ?? string.Join(" ", errors.Select(e => $"{e.Key}: {string.Join(" ", e.Value)}")),
            Type = "https://tools.ietf.org/html/rfc9110#section-15.5.1",
        });

    public static IActionResult BadRequest(string field, string message) => BadRequest(new Dictionary<string, string[]> { [field] = [message] });

    public static IActionResult NotFound(string what, string id, string? field = null)
    {
        var problem = new ValidationProblemDetails
        {
            Title = $"{what} not found.",
            Status = StatusCodes.Status404NotFound,
            Detail = $"There is no {what.ToLowerInvariant()} with id '{id}'.",
            Type = "https://tools.ietf.org/html/rfc9110#section-15.5.5",
        };
        if (field is not null)
            problem.Errors[field] = [problem.Detail];
        return Problem(problem);
    }

    /// <summary>404 for something asked by description rather than id (a backup at a point in time): <paramref name="detail"/> says what was looked for.</summary>
    public static IActionResult NotFoundBecause(string title, string detail) => Problem(new ProblemDetails
    {
        Title = title,
        Status = StatusCodes.Status404NotFound,
        Detail = detail,
        Type = "https://tools.ietf.org/html/rfc9110#section-15.5.5",
    });

    /// <summary>409: the request is fine, but the resource is busy (<paramref name="detail"/> says with what).</summary>
    public static IActionResult Conflict(string title, string detail) => Problem(new ProblemDetails
    {
        Title = title,
        Status = StatusCodes.Status409Conflict,
        Detail = detail,
        Type = "https://tools.ietf.org/html/rfc9110#section-15.5.10",
    });

    /// <summary>409 as <see cref="Conflict(string, string)"/>, with <c>reason</c>: a word a client can act on without parsing the detail.</summary>
    public static IActionResult Conflict(string title, string detail, string reason)
    {
        var problem = new ProblemDetails
        {
            Title = title,
            Status = StatusCodes.Status409Conflict,
            Detail = detail,
            Type = "https://tools.ietf.org/html/rfc9110#section-15.5.10",
        };
        problem.Extensions["reason"] = reason;
        return Problem(problem);
    }

    /// <summary>503: a destination or dependency failed; asking again later may succeed (<paramref name="detail"/> says what failed).</summary>
    public static IActionResult Unavailable(string title, string detail) => Problem(new ProblemDetails
    {
        Title = title,
        Status = StatusCodes.Status503ServiceUnavailable,
        Detail = detail,
        Type = "https://tools.ietf.org/html/rfc9110#section-15.6.4",
    });

    private static IActionResult Problem(ProblemDetails problem)
        => new JsonResult(problem, ApiJson.Options) { StatusCode = problem.Status, ContentType = "application/problem+json" };

    private static JsonResult Json(object value, int status) => new(value, ApiJson.Options) { StatusCode = status };

    /// <summary>A JSON result that also sets the Location header (201/202).</summary>
    private sealed class LocatedJsonResult(object value, int status, string location) : JsonResult(value, ApiJson.Options)
    {
        public override Task ExecuteResultAsync(ActionContext context)
        {
            StatusCode = status;
            context.HttpContext.Response.Headers.Location = location;
            return base.ExecuteResultAsync(context);
        }
    }
}
