using System.Reflection;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.RegularExpressions;
using Microsoft.Azure.Functions.Worker;
using Microsoft.OpenApi;

namespace BackupFunctions.Tests.Support;

/// <summary>
/// What the OpenAPI document must cover, read from the code rather than from the route table: the HTTP functions
/// (<c>[Function]</c> methods with an <c>[HttpTrigger]</c> parameter) and the public properties of the types whose
/// schemas it holds. Each check answers with one line per gap, naming it.
/// </summary>
public static partial class ApiCoverage
{
    public static IReadOnlyList<HttpFunctionRoute> HttpFunctions(Assembly assembly)
    {
        ArgumentNullException.ThrowIfNull(assembly);
        var found = new List<HttpFunctionRoute>();
        foreach (var method in assembly.GetExportedTypes().SelectMany(t => t.GetMethods(BindingFlags.Public | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly)))
        {
            if (method.GetCustomAttribute<FunctionAttribute>() is not { } function)
                continue;
            if (method.GetParameters().Select(p => p.GetCustomAttribute<HttpTriggerAttribute>()).FirstOrDefault(a => a is not null) is not { } trigger)
                continue;
            // The Functions host's defaults: GET and POST when no method is named, the function's name as its route.
            var verbs = trigger.Methods ?? ["get", "post"];
            // HEAD beside GET is GET without the body (RFC 9110 §9.3.2): the GET operation describes both, and an
            // OpenAPI operation id may not repeat.
            foreach (var verb in verbs.Where(v => !(v.Equals("head", StringComparison.OrdinalIgnoreCase) && verbs.Contains("get", StringComparer.OrdinalIgnoreCase))))
                found.Add(new HttpFunctionRoute(function.Name, verb.ToUpperInvariant(), trigger.Route ?? function.Name, trigger.AuthLevel));
        }
        return found;
    }

    /// <summary>Functions the document lacks, or describes under another name or with another need for a key.</summary>
    public static IReadOnlyList<string> Undescribed(OpenApiDocument document, IEnumerable<HttpFunctionRoute> functions)
    {
        ArgumentNullException.ThrowIfNull(document);
        ArgumentNullException.ThrowIfNull(functions);
        var gaps = new List<string>();
        foreach (var function in functions)
        {
            var path = "/" + RouteParameter().Replace(function.Route, m => "{" + m.Groups["name"].Value + "}");
            var operation = Operation(document, path, function.Method);
            if (operation is null)
            {
                gaps.Add($"{function} is not in the OpenAPI document: add it to ApiRoutes.All.");
                continue;
            }
            if (operation.OperationId != function.Name)
                gaps.Add($"{function} is described as operation '{operation.OperationId}'.");
            var anonymous = operation.Security is { Count: 0 };
            if (anonymous != (function.Level == AuthorizationLevel.Anonymous))
                gaps.Add($"{function} is AuthorizationLevel.{function.Level}, but the document says it {(anonymous ? "needs no key" : "needs a key")}.");
        }
        return gaps;
    }

    /// <summary>Operations of the document that no HTTP function serves (a row left behind in the route table).</summary>
    public static IReadOnlyList<string> Stale(OpenApiDocument document, IEnumerable<HttpFunctionRoute> functions)
    {
        ArgumentNullException.ThrowIfNull(document);
        ArgumentNullException.ThrowIfNull(functions);
        var served = functions.Select(f => (f.Method, f.Name)).ToHashSet();
        var gaps = new List<string>();
        foreach (var (path, item) in document.Paths)
        {
            foreach (var (method, operation) in item.Operations ?? new Dictionary<HttpMethod, OpenApiOperation>())
            {
                if (!served.Contains((method.Method.ToUpperInvariant(), operation.OperationId ?? "")))
                    gaps.Add($"{method.Method.ToUpperInvariant()} {path} ({operation.OperationId}) is in the document, but no HTTP function serves it.");
            }
        }
        return gaps;
    }

    private static OpenApiOperation? Operation(OpenApiDocument document, string path, string method)
        => document.Paths.TryGetValue(path, out var item) && item.Operations is { } operations && operations.TryGetValue(new HttpMethod(method), out var operation)
            ? operation
            : null;

    /// <summary>Public properties of each component's type that its schema lacks, as "Type.Property ('jsonName') is not in schema X".</summary>
    public static IReadOnlyList<string> MissingProperties(OpenApiDocument document, IReadOnlyDictionary<string, Type> components)
    {
        ArgumentNullException.ThrowIfNull(document);
        ArgumentNullException.ThrowIfNull(components);
        var gaps = new List<string>();
        foreach (var (name, type) in components)
        {
            IOpenApiSchema? schema = null;
            document.Components?.Schemas?.TryGetValue(name, out schema);
            var properties = schema?.Properties ?? new Dictionary<string, IOpenApiSchema>();
            foreach (var jsonName in JsonNames(type).Where(n => !properties.ContainsKey(n.Json)))
                gaps.Add($"{type.Name}.{jsonName.Clr} ('{jsonName.Json}') is not in schema {name}.");
        }
        return gaps;
    }

    /// <summary>The public properties a JSON answer of <paramref name="type"/> may carry, by their camelCase or [JsonPropertyName] name.</summary>
    private static IEnumerable<(string Clr, string Json)> JsonNames(Type type) =>
        type.GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .Where(p => p.GetIndexParameters().Length == 0 && p.GetMethod is { IsPublic: true })
            .Where(p => p.GetCustomAttribute<JsonExtensionDataAttribute>() is null)
            .Where(p => p.GetCustomAttribute<JsonIgnoreAttribute>() is not { Condition: JsonIgnoreCondition.Always })
            .Select(p => (p.Name, p.GetCustomAttribute<JsonPropertyNameAttribute>()?.Name ?? JsonNamingPolicy.CamelCase.ConvertName(p.Name)))
            .Distinct();

    [GeneratedRegex(@"\{\**(?<name>[A-Za-z0-9_]+)[^}]*\}")]
    private static partial Regex RouteParameter();
}
