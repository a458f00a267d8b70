using System.Reflection;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Schema;
using System.Text.Json.Serialization.Metadata;
using BackupFunctions.Core.Configs;
using BackupFunctions.Core.Retention;
using BackupFunctions.Core.Secrets;
using Microsoft.OpenApi;
using Microsoft.OpenApi.Reader;

namespace BackupFunctions.Http.OpenApi;

/// <summary>
/// OpenAPI schemas of the API's own types, read from the contract the serializer uses (<see cref="ApiJson.Options"/>
/// through System.Text.Json's <see cref="JsonSchemaExporter"/>): names as written (camelCase, [JsonPropertyName]),
/// enums as the words the converter writes, nullability and required members as the serializer enforces them,
/// [JsonIgnore] honoured. Every object type becomes a component (<c>#/components/schemas/Name</c>) that the others
/// refer to; the JSON Schema goes into the Microsoft.OpenApi model through its own 3.1 reader.
/// </summary>
public sealed class ApiSchemaGenerator
{
    /// <summary>
    /// Converters whose JSON the exporter cannot see into (it only knows they are custom): the shape each reads and
    /// writes. A custom converter missing here stops the document from being built, naming it.
    /// </summary>
    private static readonly Dictionary<Type, Func<ApiSchemaGenerator, JsonNode>> ConverterSchemas = new()
    {
        [typeof(SecretValueJsonConverter)] = _ => new JsonObject
        {
            ["description"] = "A secret: its value (sealed before it is stored, never returned), or {\"setting\": \"BackupSecrets__NAME\"} naming the app setting that holds it. Answers show only the reference.",
            ["anyOf"] = new JsonArray(
                new JsonObject { ["type"] = "string", ["writeOnly"] = true },
                new JsonObject
                {
                    ["type"] = "object",
                    ["properties"] = new JsonObject { ["setting"] = new JsonObject { ["type"] = "string" } },
                    ["additionalProperties"] = false,
                }),
        },
        [typeof(RetentionDurationJsonConverter)] = _ => new JsonObject
        {
            ["type"] = new JsonArray("string", "null"),
            ["description"] = $"A duration: {RetentionDuration.FormatHelp}.",
            ["examples"] = new JsonArray("30d"),
        },
        [typeof(DayOfWeekJsonConverter)] = _ => new JsonObject
        {
            ["description"] = "The day of a weekly schedule: 0–6 (Sunday = 0) or a day's name (monday … sunday, any case). Answers give the lowercase name.",
            ["anyOf"] = new JsonArray(
                new JsonObject { ["type"] = "integer", ["minimum"] = 0, ["maximum"] = 6 },
                new JsonObject { ["type"] = "string" },
                new JsonObject { ["type"] = "null" }),
        },
        [typeof(FilesComponentInputJsonConverter)] = g => new JsonObject
        {
            ["description"] = "A component: its folder name (uploads), or {\"name\": \"themes\", \"source\": {…}} for a component that lives in another source than files.source.",
            ["anyOf"] = new JsonArray(
                new JsonObject { ["type"] = "string" },
                new JsonObject
                {
                    ["type"] = "object",
                    ["properties"] = new JsonObject
                    {
                        ["name"] = new JsonObject { ["type"] = "string" },
                        ["source"] = new JsonObject { ["$ref"] = "#/components/schemas/" + g.Component(typeof(Core.Sources.Sites.SiteSourceSettings)) },
                    },
                    ["required"] = new JsonArray("name"),
                    ["additionalProperties"] = false,
                }),
        },
        [typeof(StorageInputJsonConverter)] = g => new JsonObject
        {
            ["description"] = "Where backups go: one destination (the primary; replicas then in replicas), or the seed's array of entries, the primary marked primary: true.",
            ["anyOf"] = new JsonArray(
                new JsonObject { ["$ref"] = "#/components/schemas/" + g.Component(typeof(StorageEntryInput)) },
                new JsonObject { ["type"] = "array", ["items"] = new JsonObject { ["$ref"] = "#/components/schemas/" + g.Component(typeof(StorageEntryInput)) } }),
        },
    };

    private readonly JsonSerializerOptions _options;
    private readonly OpenApiDocument _document;
    private readonly JsonSchemaExporterOptions _exporter;
    private readonly Dictionary<Type, string> _names = [];
    private readonly Dictionary<string, Type> _types = new(StringComparer.Ordinal);
    private readonly ApiXmlDocs _docs = new();

    public ApiSchemaGenerator(JsonSerializerOptions options, OpenApiDocument document)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(document);
        _options = options;
        _document = document;
        _document.Components ??= new OpenApiComponents();
        _document.Components.Schemas ??= new Dictionary<string, IOpenApiSchema>(StringComparer.Ordinal);
        _exporter = new JsonSchemaExporterOptions { TreatNullObliviousAsNonNullable = true, TransformSchemaNode = Transform };
    }

    /// <summary>Each component schema's name and the type it was generated from.</summary>
    public IReadOnlyDictionary<string, Type> Components => _types;

    /// <summary>The schema of <paramref name="type"/>: a reference to its component for an object, inline otherwise.</summary>
    public IOpenApiSchema SchemaFor(Type type)
        => IsComponent(_options.GetTypeInfo(type))
            ? new OpenApiSchemaReference(Component(type), _document)
            : Read(_options.GetJsonSchemaAsNode(type, _exporter), type);

    /// <summary>An example value as the API writes it, null members left out (null is every optional member's default).</summary>
    public JsonNode? ExampleOf(object value)
    {
        ArgumentNullException.ThrowIfNull(value);
        return WithoutNulls(JsonSerializer.SerializeToNode(value, value.GetType(), _options));
    }

    private string Component(Type type)
    {
        if (_names.TryGetValue(type, out var known))
            return known;
        var name = NameOf(type);
        if (_types.TryGetValue(name, out var other))
            throw new InvalidOperationException($"{other.FullName} and {type.FullName} would both be the schema '{name}' of the API document.");
        _names[type] = name;
        _types[name] = type;
        _document.Components!.Schemas![name] = Read(_options.GetJsonSchemaAsNode(type, _exporter), type);
        return name;
    }

    private JsonNode Transform(JsonSchemaExporterContext context, JsonNode node)
    {
        var schema = Shape(context, node);
        // The code's own documentation describes the member (or, at the root of a component, the type).
        var description = context.PropertyInfo?.AttributeProvider is MemberInfo member ? _docs.Of(member)
            : context.Path.Length == 0 ? _docs.Of(context.TypeInfo.Type)
            : null;
        if (description is not null && schema is JsonObject o && !o.ContainsKey("description"))
            o["description"] = description;
        return schema;
    }

    private JsonNode Shape(JsonSchemaExporterContext context, JsonNode node)
    {
        var converter = context.PropertyInfo?.CustomConverter ?? context.TypeInfo.Converter;
        if (converter.GetType().Assembly != typeof(JsonSerializer).Assembly)
        {
            return ConverterSchemas.TryGetValue(converter.GetType(), out var schema)
                ? schema(this)
                : throw new InvalidOperationException(
                    $"{Where(context)} is written by {converter.GetType().FullName}, whose JSON the schema generator cannot see: " +
                    $"add its shape to {nameof(ApiSchemaGenerator)}.{nameof(ConverterSchemas)}.");
        }
        if (context.Path.Length == 0 || !IsComponent(context.TypeInfo))
            return node;

        var reference = new JsonObject { ["$ref"] = "#/components/schemas/" + Component(context.TypeInfo.Type) };
        var nullable = (node is JsonObject shape && shape["type"] is JsonArray types && types.Any(t => t?.GetValue<string>() == "null"))
            || context.PropertyInfo is { IsGetNullable: true } or { IsSetNullable: true };
        return nullable ? new JsonObject { ["anyOf"] = new JsonArray(reference, new JsonObject { ["type"] = "null" }) } : reference;
    }

    private static bool IsComponent(JsonTypeInfo info)
        => info.Kind == JsonTypeInfoKind.Object && info.Type != typeof(object) && info.Converter.GetType().Assembly == typeof(JsonSerializer).Assembly;

    private IOpenApiSchema Read(JsonNode node, Type type)
    {
        if (node is JsonObject schema)
        {
            schema.Remove("$schema");
            if (StrayReference(schema) is { } stray)
                throw new InvalidOperationException($"The schema of {type.FullName} refers to '{stray}', which is not a component.");
        }
        var read = new OpenApiJsonReader().ReadFragment<OpenApiSchema>(node, OpenApiSpecVersion.OpenApi3_1, _document, out var diagnostic);
        if (read is null || diagnostic.Errors.Count > 0)
            throw new InvalidOperationException($"The schema of {type.FullName} is not valid: {string.Join("; ", diagnostic.Errors.Select(e => e.Message))}");
        return read;
    }

    private static string? StrayReference(JsonNode? node) => node switch
    {
        JsonObject o when o["$ref"] is JsonValue r && !r.GetValue<string>().StartsWith("#/components/schemas/", StringComparison.Ordinal) => r.GetValue<string>(),
        JsonObject o => o.Select(p => StrayReference(p.Value)).FirstOrDefault(s => s is not null),
        JsonArray a => a.Select(StrayReference).FirstOrDefault(s => s is not null),
        _ => null,
    };

    /// <summary><c>Page&lt;BackupJob&gt;</c> → <c>BackupJobPage</c>.</summary>
    private static string NameOf(Type type)
    {
        if (!type.IsGenericType)
            return type.Name;
        var name = type.Name[..type.Name.IndexOf('`', StringComparison.Ordinal)];
        return string.Concat(type.GetGenericArguments().Select(NameOf)) + name;
    }

    private static string Where(JsonSchemaExporterContext context) => context.PropertyInfo is { } property
        ? $"{property.DeclaringType.Name}.{(property.AttributeProvider as MemberInfo)?.Name ?? property.Name}"
        : context.TypeInfo.Type.FullName ?? context.TypeInfo.Type.Name;

    private static JsonNode? WithoutNulls(JsonNode? node)
    {
        switch (node)
        {
            case JsonObject o:
                foreach (var name in o.Where(p => p.Value is null).Select(p => p.Key).ToList())
                    o.Remove(name);
                foreach (var property in o)
                    WithoutNulls(property.Value);
                break;
            case JsonArray a:
                foreach (var item in a)
                    WithoutNulls(item);
                break;
        }
        return node;
    }
}
