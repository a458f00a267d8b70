using System.Net;
using BackupFunctions.Tests.Support;
using Microsoft.OpenApi;

namespace BackupFunctions.Tests;

/// <summary>GET /api/openapi.json through the local host: the document a CMS developer or a client generator fetches.</summary>
public sealed class OpenApiHostTests(LocalHostFixture host) : IClassFixture<LocalHostFixture>
{
    [Fact]
    public async Task The_document_is_served_as_JSON_and_reads_as_OpenAPI_3_1()
    {
        using var response = await host.Http.GetAsync("api/openapi.json");
        var body = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        var (document, diagnostic) = OpenApiDocument.Parse(body, "json");
        Assert.True(diagnostic!.Errors.Count == 0, string.Join(Environment.NewLine, diagnostic.Errors.Select(e => e.Message)));
        Assert.Equal(OpenApiSpecVersion.OpenApi3_1, diagnostic.SpecificationVersion);
        Assert.Contains("/openapi.json", document!.Paths!.Keys);
        Assert.Contains("/backup-configs/{id}", document.Paths.Keys);
    }
}
