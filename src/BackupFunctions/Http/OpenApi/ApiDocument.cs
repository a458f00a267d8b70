using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Http;
using Microsoft.OpenApi;

namespace BackupFunctions.Http.OpenApi;

/// <summary>
/// The OpenAPI 3.1 document of the HTTP API, generated from <see cref="ApiRoutes"/> and the types the functions read
/// and write. It depends on nothing but the code, so it is built once per process and served as it is.
/// </summary>
public static class ApiDocument
{
    /// <summary>The security schemes: the Functions host takes a function key in a header or in the query.</summary>
    public const string KeyHeaderScheme = "functionKey";
    public const string KeyQueryScheme = "functionKeyQuery";

    /// <summary>
    /// The API's JSON options with numbers as numbers only: the API writes them so, and that it also reads <c>"5"</c>
    /// (JsonSerializerDefaults.Web) is leniency, not the contract — documented, it would make every number a
    /// string-or-number in generated clients.
    /// </summary>
    private static readonly JsonSerializerOptions SchemaJson = CreateSchemaJson();

    private static readonly Lazy<string> CachedJson = new(() => ToJson(Create(ApiRoutes.All, out _)));

    /// <summary>The document of <see cref="ApiRoutes.All"/> as JSON (OpenAPI 3.1).</summary>
    public static string Json => CachedJson.Value;

    public static string ToJson(OpenApiDocument document)
    {
        ArgumentNullException.ThrowIfNull(document);
        using var text = new StringWriter(CultureInfo.InvariantCulture);
        var writer = new OpenApiJsonWriter(text);
        document.SerializeAsV31(writer);
        return text.ToString();
    }

    /// <summary>The document of <paramref name="routes"/>; <paramref name="schemas"/> tells which type each component schema came from.</summary>
    public static OpenApiDocument Create(IReadOnlyList<ApiRoute> routes, out ApiSchemaGenerator schemas)
    {
        ArgumentNullException.ThrowIfNull(routes);
        var document = new OpenApiDocument
        {
            Info = new OpenApiInfo
            {
                Title = "BackupFunctions",
                Version = typeof(ApiDocument).Assembly.GetName().Version?.ToString(3) ?? "0.0.0",
                Description = "Backup and restore of a CMS (PostgreSQL database and site files). JSON is camelCase; a bad request " +
                    "gets a problem+json answer whose errors name each bad field, and changes nothing. See docs/api.md.",
            },
            Servers = [new OpenApiServer { Url = "/api", Description = "The Functions app (routes are under /api)." }],
            Paths = new OpenApiPaths(),
            Components = new OpenApiComponents
            {
                Schemas = new Dictionary<string, IOpenApiSchema>(StringComparer.Ordinal),
                SecuritySchemes = new Dictionary<string, IOpenApiSecurityScheme>(StringComparer.Ordinal)
                {
                    [KeyHeaderScheme] = new OpenApiSecurityScheme
                    {
                        Type = SecuritySchemeType.ApiKey,
                        In = ParameterLocation.Header,
                        Name = "x-functions-key",
                        Description = "A function key (or the host key) of the Functions app. Not checked by the local host.",
                    },
                    [KeyQueryScheme] = new OpenApiSecurityScheme
                    {
                        Type = SecuritySchemeType.ApiKey,
                        In = ParameterLocation.Query,
                        Name = "code",
                        Description = "The same key as a query parameter, for clients that cannot set headers.",
                    },
                },
            },
        };
        document.Security =
        [
            new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference(KeyHeaderScheme, document)] = [] },
            new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference(KeyQueryScheme, document)] = [] },
        ];
        document.Tags = new HashSet<OpenApiTag>(routes.Select(r => r.Tag).Distinct(StringComparer.Ordinal).Select(t => new OpenApiTag { Name = t }));

        schemas = new ApiSchemaGenerator(SchemaJson, document);
        foreach (var route in routes)
        {
            if (!document.Paths.TryGetValue(route.OpenApiPath, out var item))
                document.Paths[route.OpenApiPath] = item = new OpenApiPathItem();
            var pathItem = (OpenApiPathItem)item;
            if (pathItem.Operations?.ContainsKey(route.Method) == true)
                throw new InvalidOperationException($"{route.Method} {route.OpenApiPath} is in the route table twice.");
            pathItem.AddOperation(route.Method, Operation(route, schemas, document));
        }
        return document;
    }

    private static JsonSerializerOptions CreateSchemaJson()
    {
        var options = new JsonSerializerOptions(ApiJson.Options) { NumberHandling = JsonNumberHandling.Strict };
        options.MakeReadOnly(populateMissingResolver: true);
        return options;
    }

    private static OpenApiOperation Operation(ApiRoute route, ApiSchemaGenerator schemas, OpenApiDocument document)
    {
        var operation = new OpenApiOperation
        {
            OperationId = route.FunctionName,
            Summary = route.Summary,
            Description = route.Description,
            Tags = new HashSet<OpenApiTagReference> { new(route.Tag, document) },
            Parameters =
            [
                .. route.PathParameters.Select(name => new OpenApiParameter
                {
                    Name = name,
                    In = ParameterLocation.Path,
                    Required = true,
                    Schema = new OpenApiSchema { Type = JsonSchemaType.String },
                }),
                .. route.Parameters.Select(p => new OpenApiParameter
                {
                    Name = p.Name,
                    In = p.In,
                    Required = p.Required,
                    Description = p.Description,
                    Schema = schemas.SchemaFor(p.Type),
                }),
            ],
        };
        if (operation.Parameters is { Count: 0 })
            operation.Parameters = null;
        var responses = new OpenApiResponses();
        operation.Responses = responses;
        if (!route.NeedsKey)
            operation.Security = [];

        if (route.Body is { } body)
        {
            operation.RequestBody = new OpenApiRequestBody
            {
                Required = body.Required,
                Description = body.Required ? null : "Optional: an empty body means every field's default.",
                Content = new Dictionary<string, IOpenApiMediaType>(StringComparer.Ordinal)
                {
                    [ApiRoute.Json] = new OpenApiMediaType
                    {
                        Schema = schemas.SchemaFor(body.Type),
                        Examples = body.Examples.Count == 0 ? null : body.Examples.ToDictionary(
                            e => e.Name,
                            e => (IOpenApiExample)new OpenApiExample { Summary = e.Summary, Value = schemas.ExampleOf(e.Value) },
                            StringComparer.Ordinal),
                    },
                },
            };
        }

        foreach (var answers in route.Answers.GroupBy(a => a.Status).OrderBy(g => g.Key))
        {
            var response = new OpenApiResponse
            {
                Description = string.Join(" ", answers.Select(a => a.Description).Distinct(StringComparer.Ordinal)),
                Content = answers.Any(a => a.MediaType.Length > 0)
                    ? answers.Where(a => a.MediaType.Length > 0).ToDictionary(a => a.MediaType, a => (IOpenApiMediaType)new OpenApiMediaType
                    {
                        Schema = a.Type is not null ? schemas.SchemaFor(a.Type)
                            : a.MediaType == ApiRoute.Json ? new OpenApiSchema { Type = JsonSchemaType.Object }
                            : null,
                    }, StringComparer.Ordinal)
                    : null,
            };
            if (answers.Key is StatusCodes.Status201Created or StatusCodes.Status202Accepted)
            {
                response.Headers = new Dictionary<string, IOpenApiHeader>(StringComparer.Ordinal)
                {
                    ["Location"] = new OpenApiHeader
                    {
                        Description = answers.Key == StatusCodes.Status201Created ? "The URL of what was created." : "Where to follow the work.",
                        Schema = new OpenApiSchema { Type = JsonSchemaType.String },
                    },
                };
            }
            responses[answers.Key.ToString(CultureInfo.InvariantCulture)] = response;
        }
        if (route.NeedsKey)
            responses["401"] = new OpenApiResponse { Description = "No valid function key (in Azure; the local host asks for none)." };
        return operation;
    }
}
