using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.OpenApi;

namespace BackupFunctions.Http.OpenApi;

/// <summary>
/// One row of <see cref="ApiRoutes"/>: an HTTP function as the OpenAPI document describes it. <see cref="Path"/> is the
/// function's <c>Route</c> exactly as in its <c>[HttpTrigger]</c> (without the <c>/api</c> prefix) and
/// <see cref="FunctionName"/> its <c>[Function]</c> name; the coverage test holds both to the code. Built fluently, so
/// a new route is one statement: <c>Post("x/{id}", "DoX", "Does X").Takes&lt;XBody&gt;().Ok&lt;XView&gt;().NotFound("X")</c>.
/// </summary>
public sealed partial record ApiRoute(HttpMethod Method, string Path, string FunctionName, string Summary)
{
    public const string Json = "application/json";
    public const string ProblemJson = "application/problem+json";

    /// <summary>Longer text for the operation (Markdown).</summary>
    public string? Description { get; init; }

    public ApiRequestBody? Body { get; init; }

    public IReadOnlyList<ApiAnswer> Answers { get; init; } = [];

    /// <summary>Query and header parameters; path parameters are read from <see cref="Path"/>.</summary>
    public IReadOnlyList<ApiParameter> Parameters { get; init; } = [];

    /// <summary>False for a function with <c>AuthorizationLevel.Anonymous</c>: no function key is asked.</summary>
    public bool NeedsKey { get; init; } = true;

    /// <summary>The path as OpenAPI writes it: route constraints, defaults and catch-all stars dropped (<c>{*path}</c> → <c>{path}</c>).</summary>
    public string OpenApiPath => "/" + RouteParameter().Replace(Path, m => "{" + m.Groups["name"].Value + "}");

    /// <summary>The names of the path parameters, in order.</summary>
    public IReadOnlyList<string> PathParameters => [.. RouteParameter().Matches(Path).Select(m => m.Groups["name"].Value)];

    /// <summary>The first segment of the path (<c>backup-configs</c>): the operation's tag.</summary>
    public string Tag => Path.Split('/')[0];

    public static ApiRoute Get(string path, string function, string summary) => new(HttpMethod.Get, path, function, summary);

    public static ApiRoute Post(string path, string function, string summary) => new(HttpMethod.Post, path, function, summary);

    public static ApiRoute Put(string path, string function, string summary) => new(HttpMethod.Put, path, function, summary);

    public static ApiRoute Delete(string path, string function, string summary) => new(HttpMethod.Delete, path, function, summary);

    public static ApiRoute Patch(string path, string function, string summary) => new(HttpMethod.Patch, path, function, summary);

    public ApiRoute Describe(string description) => this with { Description = description };

    /// <summary>Reads a required JSON body of <typeparamref name="T"/>.</summary>
    public ApiRoute Takes<T>(params ApiExample[] examples) => this with { Body = new ApiRequestBody(typeof(T), Required: true, examples) };

    /// <summary>Reads an optional JSON body of <typeparamref name="T"/> (an empty body is the type's defaults).</summary>
    public ApiRoute TakesOptional<T>(params ApiExample[] examples) => this with { Body = new ApiRequestBody(typeof(T), Required: false, examples) };

    public ApiRoute Query<T>(string name, string description, bool required = false)
        => this with { Parameters = [.. Parameters, new ApiParameter(name, ParameterLocation.Query, typeof(T), description, required)] };

    public ApiRoute Header(string name, string description, bool required = false)
        => this with { Parameters = [.. Parameters, new ApiParameter(name, ParameterLocation.Header, typeof(string), description, required)] };

    /// <summary>The paging query of the list routes (<see cref="PageQuery"/>), and its 400.</summary>
    public ApiRoute Paged() => Query<int>("pageSize", $"Items per page, 1–{PageQuery.MaxPageSize} (default {PageQuery.DefaultPageSize}).")
        .Query<string>("continuationToken", "The continuationToken of the previous page; absent for the first page.")
        .Invalid("A query parameter is not valid; errors names it.");

    public ApiRoute Answer<T>(int status, string description) => With(new ApiAnswer(status, description, typeof(T), Json));

    public ApiRoute Ok<T>(string description = "OK.") => Answer<T>(StatusCodes.Status200OK, description);

    /// <summary>201 with the created resource; its URL is in <c>Location</c>.</summary>
    public ApiRoute Created<T>(string description = "Created; Location is its URL.") => Answer<T>(StatusCodes.Status201Created, description);

    /// <summary>202: the work runs on; <c>Location</c> is where to follow it.</summary>
    public ApiRoute Accepted<T>(string description) => Answer<T>(StatusCodes.Status202Accepted, description);

    /// <summary>204 without a body.</summary>
    public ApiRoute NoContent(string description) => With(new ApiAnswer(StatusCodes.Status204NoContent, description, null, ""));

    /// <summary>A body that is not JSON (a download, a page): <paramref name="mediaType"/> bytes as they stream.</summary>
    public ApiRoute Streams(int status, string mediaType, string description) => With(new ApiAnswer(status, description, null, mediaType));

    /// <summary>400: a <see cref="ValidationProblemDetails"/> whose <c>errors</c> name each bad field.</summary>
    public ApiRoute Invalid(string description = "A field is not valid; errors names each bad field and why.")
        => With(new ApiAnswer(StatusCodes.Status400BadRequest, description, typeof(ValidationProblemDetails), ProblemJson));

    public ApiRoute NotFound(string what) => Problem(StatusCodes.Status404NotFound, $"There is no {what} with that id.");

    public ApiRoute Conflict(string description) => Problem(StatusCodes.Status409Conflict, description);

    /// <summary>Any other problem+json answer (412, 413, …).</summary>
    public ApiRoute Problem(int status, string description) => With(new ApiAnswer(status, description, typeof(ProblemDetails), ProblemJson));

    /// <summary>For a function with <c>AuthorizationLevel.Anonymous</c>.</summary>
    public ApiRoute Anonymous() => this with { NeedsKey = false };

    private ApiRoute With(ApiAnswer answer)
        => this with { Answers = [.. Answers.Where(a => a.Status != answer.Status || a.MediaType != answer.MediaType), answer] };

    /// <summary>A route parameter: <c>{id}</c>, <c>{id:int}</c>, <c>{id?}</c>, <c>{*path}</c>, <c>{**path}</c>.</summary>
    [GeneratedRegex(@"\{\**(?<name>[A-Za-z0-9_]+)[^}]*\}")]
    private static partial Regex RouteParameter();
}
