using System.Text.Json;
using BackupFunctions.Http;
using BackupFunctions.Http.OpenApi;
using BackupFunctions.Tests.Support;
using Microsoft.Azure.Functions.Worker;
using Microsoft.OpenApi;

namespace BackupFunctions.Tests;

/// <summary>
/// The OpenAPI document (GET /api/openapi.json), without a host: it is valid OpenAPI 3.1, it describes every HTTP
/// function of the app with its method and route, and every public property of the types it describes — so a route
/// or a field added in code but not in the document fails here, named.
/// </summary>
public sealed class OpenApiDocumentTests
{
    private static readonly IReadOnlyList<HttpFunctionRoute> Functions = ApiCoverage.HttpFunctions(typeof(FunctionNames).Assembly);

    [Fact]
    public void The_served_document_reads_as_OpenAPI_3_1_without_errors_and_passes_validation()
    {
        var (document, diagnostic) = OpenApiDocument.Parse(ApiDocument.Json, "json");

        Assert.NotNull(document);
        Assert.NotNull(diagnostic);
        Assert.True(diagnostic.Errors.Count == 0, string.Join(Environment.NewLine, diagnostic.Errors.Select(e => $"{e.Pointer}: {e.Message}")));
        Assert.Equal(OpenApiSpecVersion.OpenApi3_1, diagnostic.SpecificationVersion);
        var invalid = document.Validate(ValidationRuleSet.GetDefaultRuleSet()).ToList();
        Assert.True(invalid.Count == 0, string.Join(Environment.NewLine, invalid.Select(e => $"{e.Pointer}: {e.Message}")));
    }

    [Fact]
    public void Every_HTTP_function_is_in_the_document_with_its_method_route_name_and_key()
    {
        var document = Read();

        Assert.True(Functions.Count >= 30, $"found only {Functions.Count} HTTP functions: is the reflection broken?");
        Assert.Contains(Functions, f => f is { Name: "GetBackupConfig", Method: "GET", Route: "backup-configs/{id}" });
        var gaps = ApiCoverage.Undescribed(document, Functions);
        Assert.True(gaps.Count == 0, string.Join(Environment.NewLine, gaps));
    }

    [Fact]
    public void Every_operation_of_the_document_is_served_by_an_HTTP_function()
    {
        var gaps = ApiCoverage.Stale(Read(), Functions);
        Assert.True(gaps.Count == 0, string.Join(Environment.NewLine, gaps));
    }

    [Fact]
    public void The_coverage_check_names_a_route_the_document_does_not_describe()
    {
        var undescribed = new HttpFunctionRoute("PurgeBackupConfig", "DELETE", "backup-configs/{id}/purge", AuthorizationLevel.Function);
        var renamed = new HttpFunctionRoute("FetchBackupConfig", "GET", "backup-configs/{id:regex(^cfg-)}", AuthorizationLevel.Function);
        var opened = new HttpFunctionRoute("GetBackupHealth", "GET", "backup-health", AuthorizationLevel.Anonymous);

        var gaps = ApiCoverage.Undescribed(Read(), [undescribed, renamed, opened]);

        Assert.Equal(3, gaps.Count);
        Assert.Contains("DELETE /api/backup-configs/{id}/purge (PurgeBackupConfig) is not in the OpenAPI document", gaps[0], StringComparison.Ordinal);
        Assert.Contains("described as operation 'GetBackupConfig'", gaps[1], StringComparison.Ordinal);
        Assert.Contains("AuthorizationLevel.Anonymous", gaps[2], StringComparison.Ordinal);
    }

    [Fact]
    public void Every_public_property_of_each_request_and_response_type_is_in_its_schema()
    {
        var document = ApiDocument.Create(ApiRoutes.All, out var schemas);

        // The types the functions read and write are all there, and the types inside them.
        foreach (var type in ApiRoutes.All.SelectMany(r => r.Answers.Select(a => a.Type).Append(r.Body?.Type)).OfType<Type>()
                     .Where(t => t.IsClass && t != typeof(string)))
            Assert.Contains(type, schemas.Components.Values);
        Assert.Contains(typeof(Core.Configs.BackupSchedule), schemas.Components.Values);
        Assert.Contains(typeof(Core.Catalog.JobProgress), schemas.Components.Values);

        var gaps = ApiCoverage.MissingProperties(document, schemas.Components);
        Assert.True(gaps.Count == 0, string.Join(Environment.NewLine, gaps));
    }

    [Fact]
    public void The_property_check_names_a_field_that_is_in_code_but_not_in_the_schema()
    {
        var document = ApiDocument.Create(ApiRoutes.All, out _);

        var gaps = ApiCoverage.MissingProperties(document, new Dictionary<string, Type> { ["StartBackupBody"] = typeof(StartBackupBodyWithPriority) });

        Assert.Equal(["StartBackupBodyWithPriority.Priority ('priority') is not in schema StartBackupBody."], gaps);
    }

    [Fact]
    public void Schemas_follow_the_API_JSON_camelCase_enum_words_nullable_required_and_ignored_members()
    {
        var document = Read();
        var schemas = document.Components!.Schemas!;

        var config = schemas["BackupConfigInput"];
        Assert.Contains("maxConcurrent", config.Properties!.Keys);
        Assert.Contains("name", config.Required!);
        Assert.Contains("schedule", config.Required!);
        Assert.DoesNotContain("type", config.Required!);
        // A nullable member admits null; an ignored one ([JsonIgnore]) is not there.
        Assert.True(config.Properties["type"].Type!.Value.HasFlag(JsonSchemaType.Null));
        Assert.False(config.Properties["name"].Type!.Value.HasFlag(JsonSchemaType.Null));
        Assert.DoesNotContain("hasRules", schemas["RetentionPolicy"].Properties!.Keys);
        // keepWithin is written by a converter as duration text.
        Assert.True(schemas["RetentionPolicy"].Properties!["keepWithin"].Type!.Value.HasFlag(JsonSchemaType.String));
        // Enums as the converter writes them: camelCase, or the member's own name.
        var status = schemas["BackupJob"].Properties!["status"];
        Assert.Contains(status.Enum!, e => e?.GetValue<string>() == "completed_with_warnings");
        Assert.Contains(status.Enum!, e => e?.GetValue<string>() == "running");
        var restoreType = schemas["RestoreOptions"].Properties!["type"];
        Assert.Equal(["full", "database", "files", "selective"], restoreType.Enum!.Select(e => e!.GetValue<string>()));
        // A nested object is a reference to its own component.
        Assert.Equal("ScheduleInput", ((OpenApiSchemaReference)config.Properties["schedule"]).Reference.Id);
    }

    [Fact]
    public void Errors_are_problem_json_and_both_ways_of_sending_the_function_key_are_described()
    {
        var document = Read();

        var create = document.Paths!["/backup-configs"].Operations![HttpMethod.Post];
        var invalid = create.Responses!["400"].Content!["application/problem+json"].Schema!;
        Assert.Equal("ValidationProblemDetails", ((OpenApiSchemaReference)invalid).Reference.Id);
        Assert.Contains("errors", invalid.Properties!.Keys);
        var notFound = document.Paths["/backup-configs/{id}"].Operations![HttpMethod.Get].Responses!["404"].Content!["application/problem+json"].Schema!;
        Assert.Equal("ProblemDetails", ((OpenApiSchemaReference)notFound).Reference.Id);
        Assert.Contains("detail", notFound.Properties!.Keys);

        var schemes = document.Components!.SecuritySchemes!;
        Assert.Equal(("x-functions-key", ParameterLocation.Header), (schemes[ApiDocument.KeyHeaderScheme].Name, schemes[ApiDocument.KeyHeaderScheme].In));
        Assert.Equal(("code", ParameterLocation.Query), (schemes[ApiDocument.KeyQueryScheme].Name, schemes[ApiDocument.KeyQueryScheme].In));
        Assert.Equal(2, document.Security!.Count);
    }

    [Theory]
    [InlineData("/backup-configs", "CreateBackupConfig")]
    [InlineData("/backups", "StartBackup")]
    [InlineData("/backups/{id}/restore", "RestoreBackup")]
    [InlineData("/backup-configs/{id}/restore", "RestoreBackupConfig")]
    public void Creating_a_config_starting_a_backup_and_restoring_have_request_examples(string path, string operationId)
    {
        var operation = Read().Paths![path].Operations![HttpMethod.Post];

        Assert.Equal(operationId, operation.OperationId);
        var examples = operation.RequestBody!.Content!["application/json"].Examples!;
        Assert.NotEmpty(examples);
        Assert.All(examples.Values, e => Assert.NotNull(e.Value));
    }

    /// <summary>An example is only worth showing if the API accepts it: each is read back as the route's body type, unknown fields refused.</summary>
    [Fact]
    public void Every_request_example_reads_as_the_body_type_of_its_route()
    {
        var document = Read();
        var checkedExamples = 0;
        foreach (var route in ApiRoutes.All.Where(r => r.Body is { Examples.Count: > 0 }))
        {
            var examples = document.Paths![route.OpenApiPath].Operations![route.Method].RequestBody!.Content!["application/json"].Examples!;
            foreach (var example in route.Body!.Examples)
            {
                var json = examples[example.Name].Value!.ToJsonString();
                var read = JsonSerializer.Deserialize(json, route.Body.Type, ApiJson.Options);
                Assert.Equal(example.Value, read, new JsonEquality(route.Body.Type));
                checkedExamples++;
            }
        }
        Assert.True(checkedExamples >= 10, $"only {checkedExamples} examples");
    }

    /// <summary>
    /// A member written by a converter the generator does not know would otherwise be documented as "anything": the
    /// document is not built, and the error names the member (the lead merging a new converter sees it here).
    /// </summary>
    [Fact]
    public void A_member_written_by_an_unknown_converter_stops_the_document_naming_it()
    {
        var generator = new ApiSchemaGenerator(ApiJson.Options, new OpenApiDocument());

        var error = Assert.Throws<InvalidOperationException>(() => generator.SchemaFor(typeof(BodyWithOddConverter)));

        Assert.Contains("BodyWithOddConverter.Odd", error.Message, StringComparison.Ordinal);
        Assert.Contains("ConverterSchemas", error.Message, StringComparison.Ordinal);
    }

    private static OpenApiDocument Read()
    {
        var (document, diagnostic) = OpenApiDocument.Parse(ApiDocument.Json, "json");
        Assert.True(diagnostic!.Errors.Count == 0, string.Join(Environment.NewLine, diagnostic.Errors.Select(e => e.Message)));
        return document!;
    }

    /// <summary>A body with one field more than <see cref="StartBackupBody"/>, as if one had been added in code.</summary>
    private sealed record StartBackupBodyWithPriority(string ConfigId, int Priority);

    private sealed record BodyWithOddConverter([property: System.Text.Json.Serialization.JsonConverter(typeof(OddConverter))] int Odd);

    /// <summary>Writes an int as a word: a shape only this converter knows.</summary>
    private sealed class OddConverter : System.Text.Json.Serialization.JsonConverter<int>
    {
        public override int Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) => reader.GetString() == "one" ? 1 : 0;

        public override void Write(Utf8JsonWriter writer, int value, JsonSerializerOptions options) => writer.WriteStringValue(value == 1 ? "one" : "other");
    }

    /// <summary>Equal when both serialize to the same JSON (records holding lists compare their lists by reference).</summary>
    private sealed class JsonEquality(Type type) : IEqualityComparer<object?>
    {
        public new bool Equals(object? x, object? y) => JsonSerializer.Serialize(x, type, ApiJson.Options) == JsonSerializer.Serialize(y, type, ApiJson.Options);

        public int GetHashCode(object? obj) => 0;
    }
}
